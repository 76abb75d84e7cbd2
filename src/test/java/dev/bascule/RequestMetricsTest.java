package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.balance.Balancers;
import dev.bascule.config.ConfigLoader;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.Scrape;
import dev.bascule.testing.TestOrigin;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The request counters after a known mix of requests through a real Bascule: 200s over two servers, a 404 no
 * route matched, a 429 over a rate limit, a 502 from an upstream that cannot be reached, a 5xx answered and
 * retried, a client that left before its answer (499). Each counter has exactly the expected value, and each
 * histogram counts exactly the requests (or attempts) its counter does.
 */
@ExtendWith(LeakGuard.class)
class RequestMetricsTest {
    private final List<AutoCloseable> closeLast = new ArrayList<>();
    private TestOrigin web1;
    private TestOrigin web2;
    private TestOrigin bad;
    private TestOrigin good;
    private String deadAddress;
    private Bascule bascule;
    private long bytesSent;

    @BeforeEach
    void start() throws Exception {
        web1 = origin("web-1");
        web2 = origin("web-2");
        bad = origin("bad");
        good = origin("good");
        bad.failWith(502);
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadAddress = "127.0.0.1:" + s.getLocalPort(); // closed again: connections are refused
        }
        String config = """
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                admin:
                  address: 127.0.0.2:0
                upstreams:
                  web:
                    servers: [ { address: %s }, { address: %s } ]
                  dead:
                    servers: [ { address: %s } ]
                  retrying:
                    servers: [ { address: %s }, { address: %s } ]
                    passive: { consecutive_failures: 100 }
                routes:
                  - name: limited
                    match: { host: limited.test }
                    upstream: web
                    rate_limit: { requests_per_second: 0.01, burst: 1 }
                  - match: { host: dead.test }
                    upstream: dead
                  - match: { host: retry.test }
                    upstream: retrying
                    retry: { attempts: 2, on: [ 502 ] }
                  - match: { host: web.test, path_prefix: /app }
                    strip_prefix: true
                    upstream: web
                """.formatted(web1.address(), web2.address(), deadAddress, bad.address(), good.address());
        ConfigLoader loader = new ConfigLoader(Balancers.standard().names());
        bascule = Bascule.start(loader.parse(config, "metrics.yaml"), 1, () -> loader.parse(config, "metrics.yaml"));
    }

    @AfterEach
    void stop() throws Exception {
        if (bascule != null) {
            bascule.close();
        }
        for (AutoCloseable c : closeLast) {
            c.close();
        }
    }

    private TestOrigin origin(String name) throws Exception {
        TestOrigin o = TestOrigin.start(name);
        closeLast.add(o);
        return o;
    }

    private RawHttp client() throws Exception {
        RawHttp c = new RawHttp(bascule.listenerAddresses().get(0));
        closeLast.add(0, c);
        return c;
    }

    private int status(RawHttp c, String host, String path) throws Exception {
        String raw = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
        bytesSent += raw.getBytes(StandardCharsets.US_ASCII).length;
        return c.exchange(raw).status();
    }

    @Test
    void aKnownMixOfRequestsIsCountedExactly() throws Exception {
        RawHttp c = client();
        for (int i = 0; i < 4; i++) {
            assertThat(status(c, "web.test", "/app/x")).isEqualTo(200);
        }
        assertThat(status(c, "nowhere.test", "/")).isEqualTo(404);
        assertThat(status(c, "limited.test", "/")).isEqualTo(200);
        assertThat(status(c, "limited.test", "/")).isEqualTo(429);
        assertThat(status(c, "dead.test", "/")).isEqualTo(502);
        // Round robin over bad and good: whichever comes first, both requests end on good; each time bad came
        // first is one retry.
        assertThat(status(client(), "retry.test", "/")).isEqualTo(200);
        assertThat(status(client(), "retry.test", "/")).isEqualTo(200);
        int retried = bad.requests();
        assertThat(retried).isBetween(1, 2);
        // A client that leaves while its request waits on the origin.
        RawHttp leaving = client();
        String slow = "GET /app/delay?ms=3000 HTTP/1.1\r\nHost: web.test\r\n\r\n";
        bytesSent += slow.length();
        leaving.send(slow);
        await().atMost(Duration.ofSeconds(5)).until(() -> web1.requests() + web2.requests() == 6);
        leaving.close();

        Scrape m = awaitScrape(s -> s.value("bascule_requests_total", "listener", "public", "route",
                "web.test/app", "upstream", "web", "code", "499") != null);

        assertThat(m.value("bascule_requests_total", "listener", "public", "route", "web.test/app", "upstream", "web",
                "code", "200")).isEqualTo(4);
        assertThat(m.value("bascule_requests_total", "listener", "public", "route", "web.test/app", "upstream", "web",
                "code", "499")).isEqualTo(1);
        assertThat(m.value("bascule_requests_total", "listener", "public", "route", "", "upstream", "",
                "code", "404")).isEqualTo(1);
        assertThat(m.value("bascule_requests_total", "listener", "public", "route", "limited", "upstream", "web",
                "code", "200")).isEqualTo(1);
        assertThat(m.value("bascule_requests_total", "listener", "public", "route", "limited", "upstream", "web",
                "code", "429")).isEqualTo(1);
        assertThat(m.value("bascule_requests_total", "listener", "public", "route", "dead.test", "upstream", "dead",
                "code", "502")).isEqualTo(1);
        assertThat(m.value("bascule_requests_total", "listener", "public", "route", "retry.test",
                "upstream", "retrying", "code", "200")).isEqualTo(2);
        assertThat(m.all("bascule_requests_total")).hasSize(7);

        // Each of the 5 web requests that reached a server (4, and the rate limit's first) by round robin: 3 and
        // 2, plus the one the leaving client abandoned, which has no answer yet.
        double web1Ok = m.value("bascule_upstream_requests_total", "upstream", "web", "server", web1.address(),
                "code", "200");
        double web2Ok = m.value("bascule_upstream_requests_total", "upstream", "web", "server", web2.address(),
                "code", "200");
        assertThat(web1Ok + web2Ok).isEqualTo(5);
        assertThat(Math.abs(web1Ok - web2Ok)).isEqualTo(1);
        assertThat(m.value("bascule_upstream_requests_total", "upstream", "retrying", "server", bad.address(),
                "code", "502")).isEqualTo(retried);
        assertThat(m.value("bascule_upstream_requests_total", "upstream", "retrying", "server", good.address(),
                "code", "200")).isEqualTo(2);
        assertThat(m.value("bascule_upstream_connect_failures_total", "upstream", "dead", "server", deadAddress))
                .isEqualTo(1);
        assertThat(m.value("bascule_upstream_connect_failures_total", "upstream", "web", "server", web1.address()))
                .isZero();
        assertThat(m.value("bascule_retries_total", "upstream", "retrying", "reason", "status")).isEqualTo(retried);
        assertThat(m.value("bascule_retries_total", "upstream", "retrying", "reason", "reset")).isZero();
        assertThat(m.value("bascule_retries_total", "upstream", "dead", "reason", "connect_failure"))
                .as("one server: nothing to try after it").isZero();

        assertThat(m.value("bascule_local_responses_total", "reason", "no_route")).isEqualTo(1);
        assertThat(m.value("bascule_local_responses_total", "reason", "rate_limited")).isEqualTo(1);
        assertThat(m.value("bascule_local_responses_total", "reason", "bad_gateway")).isEqualTo(1);
        assertThat(m.value("bascule_local_responses_total", "reason", "no_server")).isZero();
        assertThat(m.value("bascule_local_responses_total", "reason", "timeout")).isZero();

        // Histograms count exactly what the counters count.
        assertThat(m.value("bascule_request_duration_seconds_count", "route", "web.test/app", "upstream", "web"))
                .isEqualTo(5);
        assertThat(m.value("bascule_request_duration_seconds_count", "route", "limited", "upstream", "web"))
                .isEqualTo(2);
        assertThat(m.value("bascule_request_duration_seconds_count", "route", "", "upstream", "")).isEqualTo(1);
        assertThat(m.value("bascule_request_duration_seconds_bucket", "route", "retry.test", "upstream", "retrying",
                "le", "+Inf")).isEqualTo(2);
        assertThat(m.value("bascule_upstream_response_seconds_count", "upstream", "web", "server", web1.address()))
                .isEqualTo(web1Ok);
        assertThat(m.value("bascule_upstream_response_seconds_count", "upstream", "retrying", "server",
                bad.address())).isEqualTo(retried);
        assertThat(m.value("bascule_request_duration_seconds_sum", "route", "web.test/app", "upstream", "web"))
                .as("the abandoned request waited at least until the client left").isPositive();

        assertThat(m.value("bascule_received_bytes_total", "listener", "public")).isEqualTo(bytesSent);
        assertThat(m.value("bascule_sent_bytes_total", "listener", "public")).isPositive();
        assertThat(m.value("bascule_tls_handshake_failures_total", "listener", "public")).isZero();
        assertThat(m.value("bascule_client_connections_accepted_total", "listener", "public", "protocol", "http1"))
                .isEqualTo(4);
    }

    private Scrape awaitScrape(java.util.function.Predicate<Scrape> ready) {
        Scrape[] last = new Scrape[1];
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            last[0] = Scrape.of(bascule.adminAddress());
            return ready.test(last[0]);
        });
        return last[0];
    }
}
