package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.testing.H2cClient;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.TestOrigin;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code X-Request-Id} through a real Bascule: made when absent or invalid, kept when valid, sent to the origin
 * and returned to the client, on the origin's answers and on Bascule's own (404, 502), over HTTP/1.1 and h2c.
 */
@ExtendWith(LeakGuard.class)
class RequestIdTest {
    private static final String HEX_ID = "[0-9a-f]{32}";
    private TestOrigin origin;
    private ProxyUnderTest proxy;

    private void start(String requestId) throws Exception {
        origin = TestOrigin.start("o1");
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort(); // nothing listens there once closed: connects are refused
        }
        proxy = ProxyUnderTest.start("""
                listeners: [ { address: 127.0.0.1:0, protocols: [ http1, h2c ] } ]
                %s
                upstreams:
                  web: { servers: [ { address: %s } ] }
                  down: { servers: [ { address: 127.0.0.1:%d } ] }
                routes:
                  - { match: { host: blue.labs.test, path_prefix: /down }, upstream: down }
                  - { match: { host: blue.labs.test }, upstream: web }
                """.formatted(requestId, origin.address(), closed), 1);
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    private HttpResponse<String> get(String host, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(proxy.uri(path)).header("Host", host)
                .timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return proxy.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String idTheOriginGot() {
        List<TestOrigin.Recorded> seen = origin.recorded();
        assertThat(seen).isNotEmpty();
        List<String> ids = seen.get(seen.size() - 1).headers().getAll("x-request-id");
        assertThat(ids).hasSize(1);
        return ids.get(0);
    }

    @Test
    void oneIsMadeAndPassedUpAndBack() throws Exception {
        start("");
        HttpResponse<String> r = get("blue.labs.test", "/a");
        assertThat(r.statusCode()).isEqualTo(200);
        String id = r.headers().firstValue("x-request-id").orElseThrow();
        assertThat(id).matches(HEX_ID);
        assertThat(r.headers().allValues("x-request-id")).hasSize(1);
        assertThat(idTheOriginGot()).isEqualTo(id);

        HttpResponse<String> next = get("blue.labs.test", "/b");
        assertThat(next.headers().firstValue("x-request-id").orElseThrow()).matches(HEX_ID).isNotEqualTo(id);
    }

    @Test
    void aValidClientIdIsKept() throws Exception {
        start("request_id: true");
        HttpResponse<String> r = get("blue.labs.test", "/a", "X-Request-Id", "client-7:a.b_C");
        assertThat(r.headers().allValues("x-request-id")).containsExactly("client-7:a.b_C");
        assertThat(idTheOriginGot()).isEqualTo("client-7:a.b_C");
    }

    @Test
    void anInvalidOneIsReplaced() throws Exception {
        start("");
        for (String bad : new String[] {"has space", "semi;colon", "x".repeat(129), "é"}) {
            HttpResponse<String> r = get("blue.labs.test", "/a", "X-Request-Id", bad);
            String id = r.headers().firstValue("x-request-id").orElseThrow();
            assertThat(id).as(bad).matches(HEX_ID);
            assertThat(idTheOriginGot()).isEqualTo(id);
        }
    }

    @Test
    void basculesOwnAnswersCarryItToo() throws Exception {
        start("");
        HttpResponse<String> notFound = get("red.labs.test", "/a");
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(notFound.headers().firstValue("x-request-id").orElseThrow()).matches(HEX_ID);

        HttpResponse<String> kept = get("red.labs.test", "/a", "X-Request-Id", "edge-42");
        assertThat(kept.statusCode()).isEqualTo(404);
        assertThat(kept.headers().allValues("x-request-id")).containsExactly("edge-42");

        HttpResponse<String> badGateway = get("blue.labs.test", "/down", "X-Request-Id", "edge-43");
        assertThat(badGateway.statusCode()).isEqualTo(502);
        assertThat(badGateway.headers().allValues("x-request-id")).containsExactly("edge-43");
        assertThat(origin.requests()).isZero();
    }

    @Test
    void overHttp2() throws Exception {
        start("");
        try (H2cClient h2 = new H2cClient(proxy.address())) {
            H2cClient.Response made = h2.get("blue.labs.test", "/a");
            assertThat(made.status()).isEqualTo(200);
            String id = made.headers().get("x-request-id");
            assertThat(id).matches(HEX_ID);
            assertThat(idTheOriginGot()).isEqualTo(id);

            H2cClient.Response kept = h2.get("blue.labs.test", "/a", "x-request-id", "h2-client-1");
            assertThat(kept.headers().getAll("x-request-id")).containsExactly("h2-client-1");
            assertThat(idTheOriginGot()).isEqualTo("h2-client-1");

            H2cClient.Response replaced = h2.get("blue.labs.test", "/a", "x-request-id", "a,b");
            assertThat(replaced.headers().get("x-request-id")).matches(HEX_ID);

            H2cClient.Response notFound = h2.get("red.labs.test", "/a", "x-request-id", "h2-client-2");
            assertThat(notFound.status()).isEqualTo(404);
            assertThat(notFound.headers().getAll("x-request-id")).containsExactly("h2-client-2");
        }
    }

    @Test
    void offLeavesTheHeaderAlone() throws Exception {
        start("request_id: false");
        HttpResponse<String> r = get("blue.labs.test", "/a", "X-Request-Id", "has space");
        assertThat(r.headers().firstValue("x-request-id")).isEmpty();
        assertThat(idTheOriginGot()).isEqualTo("has space");

        HttpResponse<String> none = get("red.labs.test", "/a");
        assertThat(none.headers().firstValue("x-request-id")).isEmpty();
    }
}
