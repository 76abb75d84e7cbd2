package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bascule.testing.AdminClient;
import dev.bascule.testing.H2cClient;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.Scrape;
import dev.bascule.testing.TestOrigin;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Weighted splits end to end, with real origins that name themselves in {@code x-origin}: exact counts by turns
 * on one connection and across two event loops, the counters of each side, a sticky cookie set over HTTP/1.1 and
 * HTTP/2, and a side whose every server is down giving its share to the other without a failed request.
 */
@ExtendWith(LeakGuard.class)
class SplitsTest {
    private static final Pattern STICKY_COOKIE =
            Pattern.compile("bascule_release=[0-9a-f]{32}; Path=/; HttpOnly; SameSite=Lax");

    private TestOrigin blue;
    private TestOrigin green;
    private ProxyUnderTest proxy;
    private AdminClient admin;

    @BeforeEach
    void start() throws Exception {
        blue = TestOrigin.start("blue");
        green = TestOrigin.start("green");
        proxy = ProxyUnderTest.start("""
                listeners: [ { name: public, address: 127.0.0.1:0, protocols: [ http1, h2c ] } ]
                admin: { address: 127.0.0.2:0 }
                upstreams:
                  web-blue: { servers: [ { address: %s } ] }
                  web-green:
                    servers: [ { address: %s } ]
                    health_check: { interval: 100ms, timeout: 500ms, unhealthy_threshold: 1, healthy_threshold: 1 }
                routes:
                  - name: app
                    match: { host: labs.test }
                    split:
                      - { upstream: web-blue, weight: 90 }
                      - { upstream: web-green, weight: 10 }
                  - name: sticky
                    match: { host: sticky.labs.test }
                    split: [ { upstream: web-blue, weight: 50 }, { upstream: web-green, weight: 50 } ]
                    sticky: { key: cookie:bascule_release }
                """.formatted(blue.address(), green.address()), 2);
        admin = new AdminClient(proxy.bascule().adminAddress());
    }

    @AfterEach
    void stop() {
        proxy.close();
        blue.close();
        green.close();
    }

    @Test
    void ninetyTenGivesExactlyNineHundredAndOneHundredOverOneThousandRequestsOfOneConnection() throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        try (RawHttp c = proxy.raw()) {
            for (int i = 0; i < 1000; i++) {
                RawHttp.Response r = c.exchange("GET /x HTTP/1.1\r\nHost: labs.test\r\n\r\n");
                assertThat(r.status()).isEqualTo(200);
                counts.merge(r.header("x-origin"), 1, Integer::sum);
            }
        }
        assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of("blue", 900, "green", 100));

        Scrape m = Scrape.of(proxy.bascule().adminAddress());
        assertThat(m.value("bascule_requests_total", "listener", "public", "route", "app", "upstream", "web-blue",
                "code", "200")).isEqualTo(900.0);
        assertThat(m.value("bascule_requests_total", "listener", "public", "route", "app", "upstream", "web-green",
                "code", "200")).isEqualTo(100.0);
        assertThat(m.value("bascule_route_split_weight", "route", "app", "upstream", "web-blue")).isEqualTo(90.0);
        assertThat(m.value("bascule_route_split_weight", "route", "app", "upstream", "web-green")).isEqualTo(10.0);
    }

    @Test
    void theCountsAreExactAcrossEventLoopsToo() throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        // Two connections: with two event loops, one on each (connections are dealt to loops in turn).
        try (RawHttp a = proxy.raw(); RawHttp b = proxy.raw()) {
            for (int i = 0; i < 500; i++) {
                for (RawHttp c : new RawHttp[] {a, b}) {
                    RawHttp.Response r = c.exchange("GET /x HTTP/1.1\r\nHost: labs.test\r\n\r\n");
                    counts.merge(r.header("x-origin"), 1, Integer::sum);
                }
            }
        }
        assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of("blue", 900, "green", 100));
    }

    @Test
    void aMissingStickyCookieIsSetAndPlacesTheClientOverHttp1AndHttp2() throws Exception {
        try (RawHttp c = proxy.raw()) {
            RawHttp.Response first = c.exchange("GET / HTTP/1.1\r\nHost: sticky.labs.test\r\n\r\n");
            String setCookie = first.header("set-cookie");
            assertThat(setCookie).matches(STICKY_COOKIE);
            String cookie = setCookie.substring(0, setCookie.indexOf(';'));
            for (int i = 0; i < 20; i++) {
                RawHttp.Response r = c.exchange("GET / HTTP/1.1\r\nHost: sticky.labs.test\r\nCookie: a=1; " + cookie
                        + "\r\n\r\n");
                assertThat(r.header("x-origin")).as("placed by its new cookie from the first request on")
                        .isEqualTo(first.header("x-origin"));
                assertThat(r.header("set-cookie")).as("set once").isNull();
            }
        }
        H2cClient h2 = new H2cClient(proxy.address());
        try {
            H2cClient.Response r = h2.get("sticky.labs.test", "/");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.headers().get("set-cookie")).matches(STICKY_COOKIE);
            String cookie = r.headers().get("set-cookie").split(";")[0];
            H2cClient.Response again = h2.get("sticky.labs.test", "/", "cookie", cookie);
            assertThat(again.headers().get("x-origin")).isEqualTo(r.headers().get("x-origin"));
            assertThat(again.headers().get("set-cookie")).isNull();
        } finally {
            h2.close();
        }
    }

    @Test
    void aSideWithEveryServerDownGivesItsShareToTheOtherWithoutAFailedRequest() throws Exception {
        green.close(); // its active check fails: every server of web-green down, and the pool in panic
        await().atMost(Duration.ofSeconds(10)).until(() -> serverState("web-green").equals("unhealthy"));
        JsonNode explained = admin.get("/explain?host=labs.test&path=/").json();
        assertThat(explained.at("/route/split/sides/1/down").asBoolean()).isTrue();
        assertThat(explained.at("/route/split/sides/1/share").asInt()).isZero();
        assertThat(explained.at("/upstream/name").asText()).isEqualTo("web-blue");

        try (RawHttp c = proxy.raw()) {
            for (int i = 0; i < 200; i++) {
                RawHttp.Response r = c.exchange("GET / HTTP/1.1\r\nHost: labs.test\r\n\r\n");
                assertThat(r.status()).as("request %d", i).isEqualTo(200);
                assertThat(r.header("x-origin")).isEqualTo("blue");
                RawHttp.Response s = c.exchange("GET / HTTP/1.1\r\nHost: sticky.labs.test\r\n\r\n");
                assertThat(s.status()).isEqualTo(200);
                assertThat(s.header("x-origin")).isEqualTo("blue");
            }
        }
    }

    @Test
    void whenEverySideIsDownEachSidesOwnAnswerApplies() throws Exception {
        for (String[] s : new String[][] {{"web-blue", blue.address()}, {"web-green", green.address()}}) {
            assertThat(admin.send("POST", "/upstreams/" + s[0] + "/servers/" + s[1] + "/drain", null).status())
                    .isEqualTo(200);
        }
        try (RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.exchange("GET / HTTP/1.1\r\nHost: labs.test\r\n\r\n");
            assertThat(r.status()).as("no server to use on the side chosen").isEqualTo(503);
        }
        assertThat(admin.send("POST", "/upstreams/web-green/servers/" + green.address() + "/undrain", null).status())
                .isEqualTo(200);
        try (RawHttp c = proxy.raw()) {
            for (int i = 0; i < 20; i++) {
                RawHttp.Response r = c.exchange("GET / HTTP/1.1\r\nHost: labs.test\r\n\r\n");
                assertThat(r.header("x-origin")).as("green, up again, takes blue's share").isEqualTo("green");
            }
        }
    }

    private String serverState(String upstream) throws Exception {
        return admin.get("/status").json().at("/upstreams/" + upstream + "/servers/0/state").asText();
    }
}
