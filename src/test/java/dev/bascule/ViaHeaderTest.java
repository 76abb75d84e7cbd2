package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.RawOrigin;
import dev.bascule.testing.TestOrigin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * RFC 9110 7.6.3 end to end: Bascule adds itself to Via on every request it forwards and every response it relays,
 * with the version it received from that peer, after any Via already there; {@code via} names it or turns it off.
 */
@ExtendWith(LeakGuard.class)
class ViaHeaderTest {
    private static TestOrigin origin;
    private static RawOrigin raw;
    private static ProxyUnderTest proxy;

    @BeforeAll
    static void start() throws Exception {
        origin = TestOrigin.start("app-01");
        raw = new RawOrigin();
        proxy = ProxyUnderTest.start(config("", origin, raw), 1);
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        origin.close();
        raw.close();
    }

    private static String config(String via, TestOrigin origin, RawOrigin raw) {
        return via + """
                listeners: [ { address: 127.0.0.1:0 } ]
                upstreams:
                  app: { servers: [ { address: %s } ] }
                  raw: { servers: [ { address: %s } ] }
                routes:
                  - { match: { host: raw.test }, upstream: raw }
                  - { match: { path_prefix: / }, upstream: app }
                """.formatted(origin.address(), raw.address());
    }

    @Test
    void requestsCarryTheVersionTheClientSpoke() throws Exception {
        try (RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.exchange("GET /via-11 HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(r.header("via")).as("response from an HTTP/1.1 origin").isEqualTo("1.1 bascule");
        }
        try (RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.exchange("GET /via-10 HTTP/1.0\r\nHost: app.test\r\n\r\n");
            assertThat(r.header("via")).isEqualTo("1.1 bascule");
        }
        assertThat(seen("/via-11")).isEqualTo("1.1 bascule");
        assertThat(seen("/via-10")).isEqualTo("1.0 bascule");
    }

    @Test
    void appendedAfterTheViaAlreadyPresentAsOneList() throws Exception {
        try (RawHttp c = proxy.raw()) {
            c.exchange("GET /via-chain HTTP/1.1\r\nHost: app.test\r\nVia: 1.0 fred, 1.1 p.example.net\r\n"
                    + "Via: 2 edge\r\n\r\n");
            // A Via the client marked hop-by-hop is its own business: removed before this hop is added.
            c.exchange("GET /via-hop HTTP/1.1\r\nHost: app.test\r\nConnection: via\r\nVia: 1.1 secret\r\n\r\n");
        }
        assertThat(origin.recorded().stream().filter(x -> x.uri().equals("/via-chain")).findFirst().orElseThrow()
                .headers().getAll("via")).containsExactly("1.0 fred, 1.1 p.example.net, 2 edge, 1.1 bascule");
        assertThat(seen("/via-hop")).isEqualTo("1.1 bascule");
    }

    @Test
    void responsesCarryTheVersionTheOriginAnsweredWith() throws Exception {
        raw.then("HTTP/1.0 200 OK\r\nVia: 1.1 cache\r\nContent-Length: 2\r\n\r\nok");
        raw.then("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        try (RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.exchange("GET /old HTTP/1.1\r\nHost: raw.test\r\n\r\n");
            assertThat(r.version()).isEqualTo("HTTP/1.1");
            assertThat(r.header("via")).isEqualTo("1.1 cache, 1.0 bascule");
            r = c.exchange("GET /new HTTP/1.1\r\nHost: raw.test\r\n\r\n");
            assertThat(r.header("via")).isEqualTo("1.1 bascule");
        }
    }

    @Test
    void theNameComesFromTheConfigAndOffAddsNone() throws Exception {
        try (TestOrigin own = TestOrigin.start("own");
                RawOrigin ownRaw = new RawOrigin();
                ProxyUnderTest named = ProxyUnderTest.start(config("via: edge-7\n", own, ownRaw), 1);
                RawHttp c = named.raw()) {
            RawHttp.Response r = c.exchange("GET /named HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(r.header("via")).isEqualTo("1.1 edge-7");
            assertThat(own.recorded().get(0).headers().get("via")).isEqualTo("1.1 edge-7");
        }
        try (TestOrigin own = TestOrigin.start("own");
                RawOrigin ownRaw = new RawOrigin();
                ProxyUnderTest off = ProxyUnderTest.start(config("via: off\n", own, ownRaw), 1);
                RawHttp c = off.raw()) {
            RawHttp.Response r = c.exchange("GET /off HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(r.headers()).doesNotContainKey("via");
            c.exchange("GET /off-passed HTTP/1.1\r\nHost: app.test\r\nVia: 1.0 fred\r\n\r\n");
            ownRaw.then("HTTP/1.1 200 OK\r\nVia: 1.1 cache\r\nContent-Length: 2\r\n\r\nok");
            r = c.exchange("GET /x HTTP/1.1\r\nHost: raw.test\r\n\r\n");
            assertThat(r.header("via")).as("passed on unchanged").isEqualTo("1.1 cache");
            assertThat(own.recorded().get(0).headers().contains("via")).isFalse();
            assertThat(own.recorded().get(1).headers().getAll("via")).containsExactly("1.0 fred");
        }
    }

    private static String seen(String uri) {
        return origin.recorded().stream().filter(x -> x.uri().equals(uri)).findFirst().orElseThrow().headers()
                .get("via");
    }
}
