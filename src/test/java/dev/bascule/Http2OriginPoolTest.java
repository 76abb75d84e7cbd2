package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.testing.H2Origin;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How Bascule pools HTTP/2 connections to an origin ({@code protocol: h2c}), seen from a Netty HTTP/2 server that
 * counts its connections and the frames it gets: many requests share few connections, a GOAWAY mid-load and a
 * refused stream lose no request, a client that leaves resets its stream, {@code max_connections} counts HTTP/2
 * connections, and idle ones close after {@code upstream_idle}.
 */
@ExtendWith(LeakGuard.class)
class Http2OriginPoolTest {
    private H2Origin origin;
    private ProxyUnderTest proxy;
    private ExecutorService clients;

    @AfterEach
    void stop() {
        if (clients != null) {
            clients.shutdownNow();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    /** @param upstream extra lines of upstream {@code app}, indented by four spaces */
    private void startProxy(int threads, String timeouts, String server, String upstream) throws Exception {
        startProxy(threads, timeouts, server, upstream, "");
    }

    private void startProxy(int threads, String timeouts, String server, String upstream, String route)
            throws Exception {
        proxy = ProxyUnderTest.start("""
                listeners: [ { address: 127.0.0.1:0 } ]
                timeouts: { connect: 2s, response_header: 10s%s }
                upstreams:
                  app:
                    protocol: h2c
                    servers: [ { address: %s%s } ]
                %s
                routes: [ { upstream: app%s } ]
                """.formatted(timeouts, origin.address(), server, upstream, route), threads);
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(proxy.uri(path)).timeout(Duration.ofSeconds(20));
        b = body == null ? b.GET() : b.method(method, HttpRequest.BodyPublishers.ofString(body));
        return proxy.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Runs {@code count} requests, {@code concurrency} at a time, and returns their answers in order. */
    private List<String> load(int count, int concurrency, java.util.function.IntFunction<String[]> request)
            throws Exception {
        clients = Executors.newFixedThreadPool(concurrency);
        List<Future<String>> answers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String[] r = request.apply(i); // method, path, body or null
            answers.add(clients.submit(() -> {
                HttpResponse<String> resp = send(r[0], r[1], r[2]);
                return resp.statusCode() + " " + resp.body();
            }));
        }
        List<String> out = new ArrayList<>();
        for (Future<String> f : answers) {
            out.add(f.get(30, TimeUnit.SECONDS));
        }
        return out;
    }

    @Test
    void hundredConcurrentRequestsShareAFewConnections() throws Exception {
        origin = H2Origin.start("h2o", 100);
        int loops = 2;
        startProxy(loops, "", "", "");

        List<String> answers = load(100, 100, i -> new String[] {"GET", "/slow/200", null});

        assertThat(answers).allMatch(a -> a.equals("200 h2o"));
        assertThat(origin.connectionsAccepted()).as("at most two HTTP/2 connections per event loop")
                .isLessThanOrEqualTo(2 * loops);
        assertThat(origin.streams()).isEqualTo(100);
    }

    @Test
    void goAwayMidLoadLosesNoRequest() throws Exception {
        origin = H2Origin.start("h2o", 100);
        // The first connection holds 30 requests, then tells Bascule it processed the first 20 and no more.
        origin.goAwayOnce(30, 20);
        startProxy(1, "", "", "");

        int count = 150;
        List<String> answers = load(count, 60, i -> i % 3 == 0
                ? new String[] {"POST", "/work/" + i, "body of " + i}
                : new String[] {"GET", "/work/" + i, null});

        for (int i = 0; i < count; i++) {
            assertThat(answers.get(i)).isEqualTo("200 done " + i);
        }
        assertThat(origin.goAwaysSent()).isEqualTo(1);
        Map<String, Integer> processed = origin.processed();
        assertThat(processed).hasSize(count);
        assertThat(processed.values()).as("each request processed exactly once").allMatch(n -> n == 1);
        assertThat(origin.streams()).as("at least the ten cut off by GOAWAY were sent again")
                .isGreaterThanOrEqualTo(count + 10);
        assertThat(origin.connectionsAccepted()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aRefusedStreamOfAPostIsSentAgain() throws Exception {
        origin = H2Origin.start("h2o", 100);
        startProxy(1, "", "", "");

        HttpResponse<String> r = send("POST", "/refuse-once/a", "not processed the first time");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("not processed the first time");
        assertThat(origin.streams()).as("refused once, then sent again").isEqualTo(2);
    }

    @Test
    void anOriginThatRefusesEveryStreamGetsA502AfterAFewResends() throws Exception {
        origin = H2Origin.start("h2o", 100);
        startProxy(1, "", "", "", ", retry: { attempts: 1 }");

        assertThat(send("GET", "/refuse-always", null).statusCode()).isEqualTo(502);
        assertThat(origin.streams()).as("the first try and three resends").isEqualTo(4);
    }

    @Test
    void aStreamResetAfterProcessingIsRetriedOnlyAsTheRouteSays() throws Exception {
        origin = H2Origin.start("h2o", 100);
        startProxy(1, "", "", "", ", retry: { attempts: 2 }");

        assertThat(send("GET", "/reset", null).statusCode()).isEqualTo(502);
        assertThat(origin.streams()).as("one retry, as configured").isEqualTo(2);
        assertThat(send("POST", "/reset", "x").statusCode()).isEqualTo(502);
        assertThat(origin.streams()).as("a POST is not sent again").isEqualTo(3);
    }

    @Test
    void aClientThatLeavesResetsItsOriginStream() throws Exception {
        origin = H2Origin.start("h2o", 100);
        startProxy(1, "", "", "");
        RawHttp c = proxy.raw();
        c.send("GET /hang HTTP/1.1\r\nHost: app.test\r\n\r\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> origin.hanging() == 1);

        c.close();

        await().atMost(Duration.ofSeconds(5)).until(() -> origin.resets().contains("/hang CANCEL"));
        assertThat(origin.connectionsOpen()).as("the connection stays for other streams").isEqualTo(1);
        assertThat(send("GET", "/", null).body()).isEqualTo("h2o");
        assertThat(origin.connectionsAccepted()).isEqualTo(1);
    }

    @Test
    void maxConnectionsCountsHttp2Connections() throws Exception {
        origin = H2Origin.start("h2o", 10);
        startProxy(1, "", ", max_connections: 1", "    queue: { size: 100, timeout: 10s }");
        assertThat(send("GET", "/", null).statusCode()).isEqualTo(200); // the connection is open and ready

        // 40 at once on a connection that takes 10: the other 30 wait in the upstream's queue for a stream.
        List<String> answers = load(40, 40, i -> new String[] {"GET", "/slow/100", null});

        assertThat(answers).allMatch(a -> a.equals("200 h2o"));
        assertThat(origin.connectionsAccepted()).isEqualTo(1);
        assertThat(origin.peakConnectionsOpen()).isEqualTo(1);
    }

    @Test
    void idleConnectionsCloseAfterUpstreamIdle() throws Exception {
        origin = H2Origin.start("h2o", 100);
        startProxy(1, ", upstream_idle: 300ms", "", "");

        assertThat(send("GET", "/", null).body()).isEqualTo("h2o");
        await().atMost(Duration.ofSeconds(5)).until(() -> origin.connectionsOpen() == 0);

        assertThat(send("GET", "/", null).body()).isEqualTo("h2o");
        assertThat(origin.connectionsAccepted()).isEqualTo(2);
    }
}
