package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestOrigin;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The starting scenario end to end: two pools (blue, green) of two real origins each, the first weighted 2,
 * routed by host and by path prefix with the prefix stripped, everything else to blue. Subclasses run it with
 * one and with several event loops.
 */
@ExtendWith(LeakGuard.class)
abstract class StartingScenarioTest {
    private final int threads;
    protected TestOrigin blue1;
    protected TestOrigin blue2;
    protected TestOrigin green1;
    protected TestOrigin green2;
    protected ProxyUnderTest proxy;

    StartingScenarioTest(int threads) {
        this.threads = threads;
    }

    static String labsConfig(TestOrigin b1, TestOrigin b2, TestOrigin g1, TestOrigin g2) {
        return """
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                upstreams:
                  web-blue:
                    servers:
                      - { address: %s, weight: 2 }
                      - { address: %s }
                  web-green:
                    servers:
                      - { address: %s, weight: 2 }
                      - { address: %s }
                routes:
                  - match: { host: blue.labs.test }
                    upstream: web-blue
                  - match: { host: green.labs.test }
                    upstream: web-green
                  - match: { path_prefix: /blue }
                    strip_prefix: true
                    upstream: web-blue
                  - match: { path_prefix: /green }
                    strip_prefix: true
                    upstream: web-green
                  - match: { path_prefix: / }
                    upstream: web-blue
                """.formatted(b1.address(), b2.address(), g1.address(), g2.address());
    }

    @BeforeEach
    void start() throws Exception {
        blue1 = TestOrigin.start("blue-01");
        blue2 = TestOrigin.start("blue-02");
        green1 = TestOrigin.start("green-01");
        green2 = TestOrigin.start("green-02");
        proxy = ProxyUnderTest.start(labsConfig(blue1, blue2, green1, green2), threads);
    }

    @AfterEach
    void stop() {
        proxy.close();
        blue1.close();
        blue2.close();
        green1.close();
        green2.close();
    }

    @Test
    void routesByHost() throws Exception {
        assertThat(proxy.get("blue.labs.test", "/").headers().firstValue("x-origin")).get().asString()
                .startsWith("blue-");
        assertThat(proxy.get("green.labs.test", "/").headers().firstValue("x-origin")).get().asString()
                .startsWith("green-");
        assertThat(proxy.get("GREEN.labs.test:8080", "/").headers().firstValue("x-origin")).get().asString()
                .as("host match ignores case and port").startsWith("green-");
    }

    @Test
    void routesByPathPrefixAndStripsIt() throws Exception {
        HttpResponse<String> r = proxy.get("labs.test", "/green/hello?x=1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-origin")).get().asString().startsWith("green-");
        assertThat(proxy.get("labs.test", "/green").statusCode()).isEqualTo(200);
        assertThat(proxy.get("labs.test", "/blue/a/b").headers().firstValue("x-origin")).get().asString()
                .startsWith("blue-");
        assertThat(green1.recorded().stream().map(TestOrigin.Recorded::uri).toList()
                        .stream().filter(u -> !u.startsWith("/health")).toList())
                .isSubsetOf("/hello?x=1", "/");
        assertThat(allUris()).contains("/hello?x=1", "/", "/a/b");
    }

    @Test
    void segmentAwarePrefixAndDefaultRoute() throws Exception {
        HttpResponse<String> r = proxy.get("labs.test", "/greenhouse");
        assertThat(r.headers().firstValue("x-origin")).get().asString().startsWith("blue-");
        assertThat(allUris()).contains("/greenhouse");
        assertThat(proxy.get("other.example", "/anything").headers().firstValue("x-origin")).get().asString()
                .startsWith("blue-");
    }

    @Test
    void requestMatchingNoRouteGets404() throws Exception {
        proxy.close();
        proxy = ProxyUnderTest.start(labsConfig(blue1, blue2, green1, green2)
                .replace("  - match: { path_prefix: / }\n    upstream: web-blue\n", ""), threads);
        try (RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.exchange("GET /nothing-here HTTP/1.1\r\nHost: other.test\r\n\r\n");
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.bodyText()).isEqualTo("404 Not Found\n");
            assertThat(c.exchange("GET / HTTP/1.1\r\nHost: blue.labs.test\r\n\r\n").status())
                    .as("the connection stays usable").isEqualTo(200);
        }
    }

    @Test
    void weightedSplitIsExact() throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            HttpResponse<String> r = proxy.get("blue.labs.test", "/");
            assertThat(r.statusCode()).isEqualTo(200);
            counts.merge(r.body(), 1, Integer::sum);
        }
        assertThat(counts).containsEntry("blue-01", 200).containsEntry("blue-02", 100);
    }

    @Test
    void deadOriginIsRoutedAroundWithoutFailures() throws Exception {
        blue2.close();
        for (int i = 0; i < 30; i++) {
            HttpResponse<String> r = proxy.get("blue.labs.test", "/");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("blue-01");
        }
    }

    @Test
    void allOriginsDeadGives502() throws Exception {
        green1.close();
        green2.close();
        HttpResponse<String> r = proxy.get("green.labs.test", "/");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.body()).isEqualTo("502 Bad Gateway\n").doesNotContain("127.0.0.1");
    }

    @Test
    void reusesOriginConnections() throws Exception {
        try (RawHttp c = proxy.raw()) {
            for (int i = 0; i < 200; i++) {
                RawHttp.Response r = c.exchange("GET / HTTP/1.1\r\nHost: green.labs.test\r\n\r\n");
                assertThat(r.status()).isEqualTo(200);
            }
        }
        int requests = green1.requests() + green2.requests();
        int connections = green1.connectionsAccepted() + green2.connectionsAccepted();
        assertThat(requests).isEqualTo(200);
        assertThat(connections).isLessThanOrEqualTo(2 * threads + 2);
    }

    /** Regression: a client's "Connection: close" once closed the origin connection too. */
    @Test
    void clientsThatCloseEveryTimeStillReuseOriginConnections() throws Exception {
        for (int i = 0; i < 100; i++) {
            try (RawHttp c = proxy.raw()) {
                RawHttp.Response r = c.exchange("GET / HTTP/1.1\r\nHost: green.labs.test\r\nConnection: close\r\n\r\n");
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("connection")).isEqualTo("close");
            }
        }
        assertThat(green1.connectionsAccepted() + green2.connectionsAccepted()).isLessThanOrEqualTo(2 * threads + 2);
    }

    @Test
    void stripsHopByHopHeadersAndAddsForwardingHeaders() throws Exception {
        try (RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.exchange("GET /echo-headers HTTP/1.1\r\n"
                    + "Host: blue.labs.test\r\n"
                    + "Connection: keep-alive, X-Secret\r\n"
                    + "X-Secret: hop\r\n"
                    + "Keep-Alive: timeout=5\r\n"
                    + "Proxy-Connection: keep-alive\r\n"
                    + "TE: trailers\r\n"
                    + "Upgrade: h2c\r\n" // a WebSocket handshake without Connection: upgrade would be a 400
                    + "X-Forwarded-For: 10.9.8.7\r\n"
                    + "X-End-To-End: kept\r\n"
                    + "\r\n");
            String seen = r.bodyText();
            assertThat(seen).doesNotContain("x-secret", "keep-alive", "proxy-connection", "te:", "upgrade",
                    "connection:");
            // no trusted_proxies: the client's own X-Forwarded-For is a claim anybody can make, so it is replaced
            assertThat(seen).doesNotContain("10.9.8.7");
            assertThat(seen).contains("x-end-to-end: kept", "host: blue.labs.test",
                    "x-forwarded-for: 127.0.0.1\n", "x-forwarded-proto: http",
                    "x-forwarded-host: blue.labs.test");
        }
    }

    @Test
    void connectionNamingXForwardedForDoesNotRemoveOurs() throws Exception {
        try (RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.exchange("GET /echo-headers HTTP/1.1\r\n"
                    + "Host: blue.labs.test\r\n"
                    + "Connection: X-Forwarded-For\r\n"
                    + "X-Forwarded-For: 6.6.6.6\r\n"
                    + "\r\n");
            assertThat(r.bodyText()).contains("x-forwarded-for: 127.0.0.1\n").doesNotContain("6.6.6.6");
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawHttp c = proxy.raw()) {
            c.send("GET /delay?ms=100 HTTP/1.1\r\nHost: green.labs.test\r\n\r\n"
                    + "GET /echo-headers HTTP/1.1\r\nHost: blue.labs.test\r\nX-Seq: 2\r\n\r\n"
                    + "GET /status?code=204 HTTP/1.1\r\nHost: blue.labs.test\r\n\r\n");
            RawHttp.Response first = c.read(false);
            RawHttp.Response second = c.read(false);
            RawHttp.Response third = c.read(false);
            assertThat(first.bodyText()).startsWith("green-");
            assertThat(second.bodyText()).contains("x-seq: 2");
            assertThat(third.status()).isEqualTo(204);
        }
    }

    @Test
    void http10ClientGetsAnswerAndClose() throws Exception {
        try (RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.exchange("GET /chunked?n=1000 HTTP/1.0\r\nHost: green.labs.test\r\n\r\n");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).hasSize(1000);
            assertThat(r.header("transfer-encoding")).isNull();
        }
        try (RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.exchange("GET / HTTP/1.0\r\nHost: blue.labs.test\r\nConnection: keep-alive\r\n\r\n");
            assertThat(r.header("connection")).isEqualToIgnoringCase("keep-alive");
            assertThat(c.exchange("GET / HTTP/1.0\r\nHost: blue.labs.test\r\n\r\n").status()).isEqualTo(200);
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void chunkedResponseStaysChunkedForHttp11() throws Exception {
        try (RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.exchange("GET /chunked?n=200000 HTTP/1.1\r\nHost: blue.labs.test\r\n\r\n");
            assertThat(r.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(r.body()).hasSize(200000);
            c.send("HEAD /bytes?n=10 HTTP/1.1\r\nHost: blue.labs.test\r\n\r\n");
            RawHttp.Response head = c.read(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo("10");
            assertThat(c.exchange("GET / HTTP/1.1\r\nHost: blue.labs.test\r\n\r\n").status())
                    .as("connection still in step after HEAD").isEqualTo(200);
        }
    }

    @Test
    void uploadsWithContentLengthChunkedAndExpectContinue() throws Exception {
        try (RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.exchange("POST /upload HTTP/1.1\r\nHost: blue.labs.test\r\n"
                    + "Content-Length: 11\r\n\r\nhello world");
            assertThat(r.bodyText()).isEqualTo("11");
            r = c.exchange("POST /upload HTTP/1.1\r\nHost: blue.labs.test\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
            assertThat(r.bodyText()).isEqualTo("11");
            c.send("POST /upload HTTP/1.1\r\nHost: blue.labs.test\r\nContent-Length: 4\r\n"
                    + "Expect: 100-continue\r\n\r\n");
            // read() skips the interim 100 Continue; the body is only sent once the continue could arrive
            Thread.yield();
            c.send("abcd");
            assertThat(c.read(false).bodyText()).isEqualTo("4");
        }
    }

    @Test
    void malformedRequestsAreRejected() throws Exception {
        try (RawHttp c = proxy.raw()) {
            assertThat(c.exchange("GET / HTTP/1.1\r\nHost: blue.labs.test\r\nBad Header\r\n\r\n").status())
                    .isEqualTo(400);
            assertThat(c.closedByPeer()).isTrue();
        }
        try (RawHttp c = proxy.raw()) {
            assertThat(c.exchange("GET / HTTP/1.1\r\n\r\n").status()).as("HTTP/1.1 without Host").isEqualTo(400);
        }
        try (RawHttp c = proxy.raw()) {
            String longUri = "/" + "a".repeat(9000);
            assertThat(c.exchange("GET " + longUri + " HTTP/1.1\r\nHost: blue.labs.test\r\n\r\n").status())
                    .isEqualTo(414);
        }
        try (RawHttp c = proxy.raw()) {
            String big = "X-Big: " + "b".repeat(40_000) + "\r\n";
            assertThat(c.exchange("GET / HTTP/1.1\r\nHost: blue.labs.test\r\n" + big + "\r\n").status())
                    .isEqualTo(431);
        }
        try (RawHttp c = proxy.raw()) {
            assertThat(c.exchange("GET http://evil.example/ HTTP/1.1\r\nHost: evil.example\r\n\r\n").status())
                    .as("never an open forward proxy").isEqualTo(400);
        }
    }

    private java.util.List<String> allUris() {
        java.util.List<String> uris = new java.util.ArrayList<>();
        for (TestOrigin o : new TestOrigin[] {blue1, blue2, green1, green2}) {
            o.recorded().forEach(r -> uris.add(r.uri()));
        }
        return uris;
    }
}

final class StartingScenarioOneLoopTest extends StartingScenarioTest {
    StartingScenarioOneLoopTest() {
        super(1);
    }
}

final class StartingScenarioTwoLoopsTest extends StartingScenarioTest {
    StartingScenarioTwoLoopsTest() {
        super(2);
    }
}
