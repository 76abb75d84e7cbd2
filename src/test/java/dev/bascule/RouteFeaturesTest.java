package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.testing.H2cClient;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.Scrape;
import dev.bascule.testing.TestOrigin;
import io.netty.handler.codec.http.HttpMethod;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Route features end to end, over HTTP/1.1 and HTTP/2 (h2c): header, cookie, query and method conditions pin
 * requests to green and everything else stays on blue; header edits both ways; redirects Bascule answers itself,
 * counted as local answers. Two real origins that name themselves in {@code x-origin}.
 */
@ExtendWith(LeakGuard.class)
class RouteFeaturesTest {
    private TestOrigin blue;
    private TestOrigin green;
    private ProxyUnderTest proxy;

    @BeforeEach
    void start() throws Exception {
        blue = TestOrigin.start("blue");
        green = TestOrigin.start("green");
        proxy = ProxyUnderTest.start("""
                listeners: [ { name: public, address: 127.0.0.1:0, protocols: [ http1, h2c ] } ]
                admin: { address: 127.0.0.2:0 }
                upstreams:
                  web-blue: { servers: [ { address: %s } ] }
                  web-green: { servers: [ { address: %s } ] }
                routes:
                  - match: { host: labs.test, header: { X-Release: green } }
                    upstream: web-green
                  - match: { host: labs.test, cookie: { release: green } }
                    upstream: web-green
                  - match: { host: labs.test, query: { release: "green team" } }
                    upstream: web-green
                  - match: { host: labs.test, method: [ DELETE, PUT ] }
                    upstream: web-green
                  - match: { path_prefix: /api }
                    strip_prefix: true
                    upstream: web-blue
                    request_headers: { set: { x-env: prod }, add: { x-tag: a }, remove: [ x-debug ] }
                    response_headers: { set: { x-served-by: bascule }, add: { x-extra: one }, remove: [ x-origin ] }
                  - match: { path_prefix: /old }
                    redirect: { to: "https://labs.test/new", status: 301 }
                  - match: { path_prefix: /moved }
                    redirect: { to: "https://labs.test/v2/", status: 308, keep_path: true }
                    response_headers: { set: { cache-control: "max-age=60" } }
                  - match: { path_prefix: / }
                    upstream: web-blue
                """.formatted(blue.address(), green.address()), 2);
    }

    @AfterEach
    void stop() {
        proxy.close();
        blue.close();
        green.close();
    }

    private static String get(String path, String... headers) {
        StringBuilder sb = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: labs.test\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            sb.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    private static String origin(RawHttp.Response r) {
        assertThat(r.status()).isEqualTo(200);
        return r.header("x-origin");
    }

    @Test
    void eachConditionPinsToGreenAndItsMissStaysOnBlue() throws Exception {
        try (RawHttp c = proxy.raw()) {
            assertThat(origin(c.exchange(get("/x", "x-release", "green")))).as("header").isEqualTo("green");
            assertThat(origin(c.exchange(get("/x", "x-release", "blue")))).isEqualTo("blue");
            assertThat(origin(c.exchange(get("/x", "X-RELEASE", "green")))).as("name in any case").isEqualTo("green");
            assertThat(origin(c.exchange(get("/x", "x-release", "Green")))).as("value exactly").isEqualTo("blue");

            assertThat(origin(c.exchange(get("/x", "cookie", "a=1; release=green")))).as("cookie").isEqualTo("green");
            assertThat(origin(c.exchange(get("/x", "cookie", "release=blue; x=green")))).isEqualTo("blue");
            assertThat(origin(c.exchange(get("/x")))).as("no cookie").isEqualTo("blue");

            assertThat(origin(c.exchange(get("/x?a=1&release=green+team")))).as("query, decoded").isEqualTo("green");
            assertThat(origin(c.exchange(get("/x?release=green%20team")))).isEqualTo("green");
            assertThat(origin(c.exchange(get("/x?release=green")))).isEqualTo("blue");
            assertThat(origin(c.exchange(get("/x?release=blue&release=green+team"))))
                    .as("the first parameter of a name counts").isEqualTo("blue");

            assertThat(origin(c.exchange("DELETE /x HTTP/1.1\r\nHost: labs.test\r\n\r\n"))).as("method")
                    .isEqualTo("green");
            assertThat(origin(c.exchange("PUT /x HTTP/1.1\r\nHost: labs.test\r\ncontent-length: 2\r\n\r\nhi")))
                    .isEqualTo("green");
            assertThat(origin(c.exchange("POST /x HTTP/1.1\r\nHost: labs.test\r\ncontent-length: 2\r\n\r\nhi")))
                    .isEqualTo("blue");
            assertThat(origin(c.exchange("GET /x HTTP/1.1\r\nHost: other.test\r\nx-release: green\r\n\r\n")))
                    .as("the host condition still applies").isEqualTo("blue");
        }
    }

    @Test
    void overHttp2TheSameConditionsHold() throws Exception {
        try (H2cClient h2 = new H2cClient(proxy.address())) {
            assertThat(h2.get("labs.test", "/x", "x-release", "green").headers().get("x-origin")).isEqualTo("green");
            assertThat(h2.get("labs.test", "/x", "x-release", "blue").headers().get("x-origin")).isEqualTo("blue");
            // HTTP/2 may split cookies into one field each (RFC 9113 8.2.3); they are read joined.
            assertThat(h2.get("labs.test", "/x", "cookie", "a=1", "cookie", "release=green").headers().get("x-origin"))
                    .isEqualTo("green");
            assertThat(h2.get("labs.test", "/x?release=green+team").headers().get("x-origin")).isEqualTo("green");
            assertThat(h2.send(HttpMethod.DELETE, "labs.test", "/x", null).get().headers().get("x-origin"))
                    .isEqualTo("green");
            assertThat(h2.get("labs.test", "/x").headers().get("x-origin")).isEqualTo("blue");
        }
    }

    @Test
    void headerEditsApplyToTheRequestSentUpstreamAndTheResponseSentBack() throws Exception {
        RawHttp.Response r;
        try (RawHttp c = proxy.raw()) {
            r = c.exchange(get("/api/x", "x-debug", "1", "x-env", "test", "x-tag", "z"));
        }
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo("blue");
        assertThat(r.header("x-served-by")).isEqualTo("bascule");
        assertThat(r.header("x-extra")).isEqualTo("one");
        assertThat(r.header("x-origin")).as("removed").isNull();
        assertThat(r.header("content-length")).as("framing untouched").isEqualTo("4");

        TestOrigin.Recorded seen = blue.recorded().get(0);
        assertThat(seen.uri()).isEqualTo("/x");
        assertThat(seen.headers().getAll("x-env")).as("set replaces").containsExactly("prod");
        assertThat(seen.headers().getAll("x-tag")).as("add appends").containsExactly("z", "a");
        assertThat(seen.headers().contains("x-debug")).isFalse();
        assertThat(seen.headers().get("x-forwarded-for")).as("Bascule's own headers stay").isEqualTo("127.0.0.1");
    }

    @Test
    void headerEditsOverHttp2() throws Exception {
        H2cClient.Response r;
        try (H2cClient h2 = new H2cClient(proxy.address())) {
            r = h2.get("labs.test", "/api/x", "x-debug", "1");
        }
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().get("x-served-by")).isEqualTo("bascule");
        assertThat(r.headers().get("x-extra")).isEqualTo("one");
        assertThat(r.headers().contains("x-origin")).isFalse();
        TestOrigin.Recorded seen = blue.recorded().get(0);
        assertThat(seen.headers().getAll("x-env")).containsExactly("prod");
        assertThat(seen.headers().getAll("x-tag")).containsExactly("a");
        assertThat(seen.headers().contains("x-debug")).isFalse();
    }

    @Test
    void redirectsAreAnsweredByBasculeWithAndWithoutThePath() throws Exception {
        try (RawHttp c = proxy.raw()) {
            RawHttp.Response fixed = c.exchange(get("/old/page?x=1"));
            assertThat(fixed.status()).isEqualTo(301);
            assertThat(fixed.header("location")).isEqualTo("https://labs.test/new");
            assertThat(fixed.header("cache-control")).isNull();

            RawHttp.Response kept = c.exchange(get("/moved/a/b?c=1&d=2"));
            assertThat(kept.status()).isEqualTo(308);
            assertThat(kept.header("location")).isEqualTo("https://labs.test/v2/a/b?c=1&d=2");
            assertThat(kept.header("cache-control")).as("response_headers apply").isEqualTo("max-age=60");
            assertThat(c.exchange(get("/moved")).header("location")).isEqualTo("https://labs.test/v2/");
            assertThat(c.exchange(get("/moved?c=1")).header("location")).isEqualTo("https://labs.test/v2/?c=1");
            assertThat(kept.header("connection")).as("the connection stays open").isNull();
            assertThat(c.exchange(get("/movedx")).status()).as("a prefix is whole segments; on the same connection")
                    .isEqualTo(200);
        }
        try (H2cClient h2 = new H2cClient(proxy.address())) {
            H2cClient.Response r = h2.get("labs.test", "/moved/z?q");
            assertThat(r.status()).isEqualTo(308);
            assertThat(r.headers().get("location")).isEqualTo("https://labs.test/v2/z?q");
            assertThat(r.headers().get("cache-control")).isEqualTo("max-age=60");
        }
        assertThat(blue.requests() + green.requests()).as("only /movedx reached an origin").isEqualTo(1);

        InetSocketAddress admin = proxy.bascule().adminAddress();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Scrape m = Scrape.of(admin);
            assertThat(m.value("bascule_local_responses_total", "reason", "redirect")).isEqualTo(5);
            assertThat(m.value("bascule_requests_total", "listener", "public", "route", "/moved", "upstream", "",
                    "code", "308")).isEqualTo(4);
            assertThat(m.value("bascule_requests_total", "listener", "public", "route", "/old", "upstream", "",
                    "code", "301")).isEqualTo(1);
        });
    }

    @Test
    void aRedirectRouteDropsTheBodyOfARequestAndClosesOnlyWhenItMust() throws Exception {
        try (RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.exchange("POST /old HTTP/1.1\r\nHost: labs.test\r\ncontent-length: 5\r\n\r\nhello");
            assertThat(r.status()).isEqualTo(301);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(blue.requests() + green.requests()).isZero();
        assertThat(List.of(blue.recorded(), green.recorded())).allMatch(List::isEmpty);
    }
}
