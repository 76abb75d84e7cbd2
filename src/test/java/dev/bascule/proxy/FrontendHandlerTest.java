package dev.bascule.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.testing.LeakGuard;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The frontend handler in the client pipeline on an {@code EmbeddedChannel}, fed raw request bytes, on a snapshot
 * a real control plane built: the answers Bascule gives itself without an origin (routing, access, rate and body
 * limits, absolute-form, a pool that rejects, a late head), whether the connection stays open after each, and the
 * pacing of reads that keeps pipelined requests in order.
 */
@ExtendWith(LeakGuard.class)
class FrontendHandlerTest {
    private static final String CONFIG = """
            listeners: [ { address: 127.0.0.1:0 } ]
            timeouts: { response_header: 1s, client_header: 2s, client_body_idle: 3s }
            upstreams:
              app:
                servers: [ { address: 127.0.0.1:9001 } ]
              down:
                when_all_down: reject
                servers: [ { address: 127.0.0.1:9004 }, { address: 127.0.0.1:9005 } ]
            routes:
              - match: { host: app.test, path_prefix: /deny }
                upstream: app
                deny: [ 203.0.113.0/24 ]
              - match: { host: app.test, path_prefix: /limited }
                upstream: app
                rate_limit: { requests_per_second: 0.5, burst: 1 }
              - match: { host: app.test, path_prefix: /small }
                upstream: app
                max_body_size: 10
              - match: { host: app.test }
                upstream: app
              - match: { host: down.test }
                upstream: down
              - match: { path_prefix: /open }
                upstream: app
            """;
    private static final String PEER = "203.0.113.9";

    private EmbeddedFrontend proxy;

    @BeforeEach
    void open() throws Exception {
        proxy = new EmbeddedFrontend(CONFIG, PEER);
    }

    @AfterEach
    void close() {
        try {
            assertThat(proxy.finishAndReleaseAll()).as("messages left in a channel").isFalse();
        } finally {
            proxy.close();
        }
    }

    private String exchange(String request) {
        proxy.send(request);
        return proxy.response();
    }

    @Test
    void noRouteIs404AndTheConnectionStays() {
        String r = exchange("GET /x HTTP/1.1\r\nHost: nowhere.test\r\n\r\n");

        assertThat(r).startsWith("HTTP/1.1 404 Not Found\r\n").doesNotContainIgnoringCase("connection:");
        assertThat(proxy.client.isActive()).isTrue();
        assertThat(exchange("GET /y HTTP/1.1\r\nHost: nowhere.test\r\n\r\n")).startsWith("HTTP/1.1 404 ");
        assertThat(proxy.origins.acquired()).isEmpty();
    }

    @Test
    void deniedClientIs403() {
        String r = exchange("GET /deny/x HTTP/1.1\r\nHost: app.test\r\n\r\n");

        assertThat(r).startsWith("HTTP/1.1 403 Forbidden\r\n");
        assertThat(proxy.client.isActive()).isTrue();
        assertThat(proxy.origins.acquired()).isEmpty();
    }

    @Test
    void emptyRateBucketIs429WithRetryAfter() {
        proxy.send("GET /limited HTTP/1.1\r\nHost: app.test\r\n\r\n");
        assertThat(proxy.origins.last().received()).as("the first takes the bucket's one token")
                .startsWith("GET /limited HTTP/1.1\r\n");
        proxy.origins.last().send("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        assertThat(proxy.response()).startsWith("HTTP/1.1 200 OK\r\n");

        String r = exchange("GET /limited HTTP/1.1\r\nHost: app.test\r\n\r\n");

        // one request every 2 s: the next token is 2 s away, rounded up to whole seconds (RFC 9110 10.2.3)
        assertThat(r).startsWith("HTTP/1.1 429 Too Many Requests\r\n").containsIgnoringCase("retry-after: 2\r\n");
        assertThat(proxy.client.isActive()).isTrue();
        assertThat(proxy.origins.acquired()).as("the second never reached an origin").hasSize(1);

        proxy.advance(2_000);
        proxy.send("GET /limited HTTP/1.1\r\nHost: app.test\r\n\r\n");
        assertThat(proxy.origins.last().received()).as("a token again 2 s later").startsWith("GET /limited ");
        proxy.origins.last().send("HTTP/1.1 204 No Content\r\n\r\n");
        assertThat(proxy.response()).startsWith("HTTP/1.1 204 ");
    }

    @Test
    void declaredBodyOverTheLimitIs413AndCloses() {
        String r = exchange("POST /small HTTP/1.1\r\nHost: app.test\r\nContent-Length: 11\r\n\r\n");

        // refused on Content-Length alone; the unread body leaves the stream unusable
        assertThat(r).startsWith("HTTP/1.1 413 ").containsIgnoringCase("connection: close\r\n");
        assertThat(proxy.client.isActive()).isFalse();
        assertThat(proxy.origins.acquired()).isEmpty();
    }

    @Test
    void absoluteFormToAHostNoRouteNamesIs400AndCloses() {
        // RFC 9112 3.2.2: the catch-all /open route must not make Bascule an open forward proxy
        String r = exchange("GET http://elsewhere.test/open HTTP/1.1\r\nHost: elsewhere.test\r\n\r\n");

        assertThat(r).startsWith("HTTP/1.1 400 ").containsIgnoringCase("connection: close\r\n");
        assertThat(proxy.client.isActive()).isFalse();
        assertThat(proxy.origins.acquired()).isEmpty();
    }

    @Test
    void poolWithEveryServerDownOrDrainingRejectsWith503AndRetryAfter() throws Exception {
        proxy.control.reportProbe("down", "127.0.0.1:9004", false, "connect refused");
        proxy.control.drain("down", "127.0.0.1:9005", true).get(5, TimeUnit.SECONDS); // after the probe, same thread

        String r = exchange("GET / HTTP/1.1\r\nHost: down.test\r\n\r\n");

        assertThat(r).startsWith("HTTP/1.1 503 Service Unavailable\r\n").containsIgnoringCase("retry-after: 5\r\n")
                .doesNotContainIgnoringCase("connection:");
        assertThat(proxy.client.isActive()).as("the request was read whole: the connection stays").isTrue();
        assertThat(proxy.origins.acquired()).isEmpty();
    }

    @Test
    void headNotWhollyArrivedWithinClientHeaderIs408AndCloses() {
        proxy.send("GET / HTTP/1.1\r\nHost: app.te");
        proxy.advance(1_999);
        assertThat(proxy.response()).isEmpty();

        proxy.advance(1);

        assertThat(proxy.response()).startsWith("HTTP/1.1 408 Request Timeout\r\n")
                .containsIgnoringCase("connection: close\r\n");
        assertThat(proxy.client.isActive()).isFalse();
    }

    @Test
    void localAnswerToARequestWithABodyClosesTheConnection() {
        // the body was never read: closing is cheaper and safer than reading it to find the next request
        String r = exchange("POST /x HTTP/1.1\r\nHost: nowhere.test\r\nContent-Length: 5\r\n\r\nhello");

        assertThat(r).startsWith("HTTP/1.1 404 ").containsIgnoringCase("connection: close\r\n");
        assertThat(proxy.client.isActive()).isFalse();
    }

    @Test
    void http10ClientWithoutKeepAliveIsClosedAfterALocalAnswer() {
        String r = exchange("GET /x HTTP/1.0\r\nHost: nowhere.test\r\n\r\n");

        assertThat(r).startsWith("HTTP/1.1 404 ").containsIgnoringCase("connection: close\r\n");
        assertThat(proxy.client.isActive()).isFalse();
    }

    @Test
    void pipelinedLocalAnswersComeInOrder() {
        String r = exchange("GET /1 HTTP/1.1\r\nHost: nowhere.test\r\n\r\n"
                + "GET /deny/2 HTTP/1.1\r\nHost: app.test\r\n\r\n"
                + "GET /3 HTTP/1.1\r\nHost: nowhere.test\r\n\r\n");

        assertThat(r).startsWith("HTTP/1.1 404 ");
        int second = r.indexOf("HTTP/1.1 403 ");
        int third = r.indexOf("HTTP/1.1 404 ", 1);
        assertThat(second).isPositive();
        assertThat(third).isGreaterThan(second);
        assertThat(proxy.handed).containsExactly("GET /1", "last ", "GET /deny/2", "last ", "GET /3", "last ");
        assertThat(proxy.client.isActive()).isTrue();
    }

    @Test
    void pipelinedRequestWaitsUntilTheOneBeforeIsAnswered() {
        proxy.send("GET /a HTTP/1.1\r\nHost: app.test\r\n\r\n"
                + "GET /b HTTP/1.1\r\nHost: nowhere.test\r\n\r\n");

        // the second request is decoded, but flow control holds it: nothing of it is read while /a is in flight
        assertThat(proxy.handed).containsExactly("GET /a", "last ");
        assertThat(proxy.origins.last().received()).startsWith("GET /a HTTP/1.1\r\n");
        assertThat(proxy.response()).isEmpty();

        proxy.origins.last().send("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");

        String r = proxy.response();
        assertThat(r).startsWith("HTTP/1.1 200 OK\r\n");
        assertThat(r.indexOf("HTTP/1.1 404 ")).as("the local 404 comes after the origin's answer")
                .isGreaterThan(r.indexOf("\r\n\r\na"));
        assertThat(proxy.handed).containsExactly("GET /a", "last ", "GET /b", "last ");
    }

    @Test
    void nextRequestIsReadOnlyOnceTheAnswerIsWritten() {
        int reads = proxy.socket.reads;
        assertThat(reads).as("the connection's first read").isEqualTo(1);
        proxy.send("GET /a HTTP/1.1\r\nHost: app.test\r\n\r\n");
        int afterHead = proxy.socket.reads;

        proxy.advance(500); // the origin takes its time: the client socket is not read meanwhile

        assertThat(proxy.socket.reads).isEqualTo(afterHead);
        proxy.origins.last().received();
        proxy.origins.last().send("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        assertThat(proxy.response()).startsWith("HTTP/1.1 200 ");
        assertThat(proxy.socket.reads).as("the next request's read, once the answer is written")
                .isEqualTo(afterHead + 1);
    }
}
