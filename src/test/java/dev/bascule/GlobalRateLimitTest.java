package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.testing.H2cClient;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.PacedLoad;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawH2;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.RedisProcess;
import dev.bascule.testing.Scrape;
import dev.bascule.testing.TestOrigin;
import io.netty.handler.codec.http.HttpMethod;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Global rate limits end to end: Bascule instances that share one real redis-server, driven over real sockets. Three
 * instances under load at once admit, together, no more than the limit; HTTP/2 streams are limited like HTTP/1
 * requests; a client that leaves while its check is under way leaves nothing behind.
 */
@ExtendWith(LeakGuard.class)
class GlobalRateLimitTest {
    private static final int RATE = 100;
    private static final int BURST = 200;
    private static RedisProcess redis;
    private static TestOrigin origin;
    private final List<ProxyUnderTest> proxies = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        redis = RedisProcess.start();
        origin = TestOrigin.start("api");
    }

    @AfterAll
    static void stop() {
        if (origin != null) {
            origin.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @AfterEach
    void closeProxies() {
        proxies.forEach(ProxyUnderTest::close);
        redis.commands().flushall();
    }

    /**
     * An instance with one global limit on /api (RATE, BURST) and one by header on /h2; {@code timeout} is the
     * redis timeout (the load test gives Redis more than the default 5 ms, so a busy test machine does not turn a
     * check into a local one).
     */
    private ProxyUnderTest proxy(String timeout) throws Exception {
        ProxyUnderTest p = ProxyUnderTest.start("""
                listeners: [ { address: 127.0.0.1:0, protocols: [ http1, h2c ] } ]
                admin: { address: 127.0.0.2:0 }
                redis: { address: %s, timeout: %s }
                upstreams: { api: { servers: [ { address: %s } ] } }
                routes:
                  - match: { path_prefix: /api }
                    upstream: api
                    rate_limit: { requests_per_second: %d, burst: %d, scope: global }
                  - match: { path_prefix: /h2 }
                    upstream: api
                    rate_limit: { requests_per_second: 0.01, burst: 3, key: "header:x-user", scope: global }
                  - upstream: api
                """.formatted(redis.address(), timeout, origin.address(), RATE, BURST), 1);
        proxies.add(p);
        await().atMost(Duration.ofSeconds(10)).until(() -> connected(p));
        return p;
    }

    /** Whether the instance's checks reach Redis: a request to /h2 leaves its bucket's key there. */
    private static boolean connected(ProxyUnderTest p) throws Exception {
        p.get("labs.test", "/h2/probe");
        return redis.commands().exists("bascule:/h2:" + "127.0.0.1") == 1 && deleteProbe();
    }

    private static boolean deleteProbe() {
        redis.commands().del("bascule:/h2:127.0.0.1");
        return true;
    }

    private static long fallbacks(ProxyUnderTest p) {
        return p.bascule().control().stats().rateLimitFallbacks().sum();
    }

    @Test
    void threeInstancesUnderLoadAdmitTogetherNoMoreThanTheLimit() throws Exception {
        List<ProxyUnderTest> fleet = List.of(proxy("250ms"), proxy("250ms"), proxy("250ms"));
        String request = "GET /api/x HTTP/1.1\r\nHost: labs.test\r\n\r\n";
        List<PacedLoad> loads = new ArrayList<>();
        long start = System.nanoTime();
        for (ProxyUnderTest p : fleet) {
            loads.add(new PacedLoad(p.address(), request, 150, 600)); // 450/s offered, for 4 s
        }
        for (PacedLoad l : loads) {
            await().atMost(Duration.ofSeconds(30)).until(() -> l.answered() + l.failures().size() >= 600);
            l.close();
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        TreeMap<Long, Integer> perSecond = new TreeMap<>();
        int total = 0;
        for (PacedLoad l : loads) {
            assertThat(l.failures()).as("only 200 and 429").isEmpty();
            assertThat(l.admitted()).as("each instance admits some").isPositive();
            assertThat(l.limited()).as("each instance refuses some").isPositive();
            for (long at : l.admittedAt()) {
                perSecond.merge(TimeUnit.NANOSECONDS.toSeconds(at - start), 1, Integer::sum);
            }
            total += l.admitted();
        }
        long localDecisions = fleet.stream().mapToLong(GlobalRateLimitTest::fallbacks).sum();
        assertThat(perSecond.values()).as("admitted per second, all three instances together (%s; %d decided"
                + " locally)", perSecond, localDecisions).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(RATE + BURST));
        assertThat(total).as("over %.1f s: the burst and the rate, not three times the rate", seconds)
                .isLessThanOrEqualTo((int) (BURST + RATE * seconds) + 1)
                .isGreaterThanOrEqualTo(BURST);
    }

    @Test
    void http2StreamsAreLimitedLikeRequestsWithAndWithoutABody() throws Exception {
        ProxyUnderTest p = proxy("250ms");
        long uploaded = origin.bytesUploaded();
        try (H2cClient h2 = new H2cClient(p.address())) {
            // A GET ends its stream with its HEADERS frame: the end is held while the check runs.
            assertThat(h2.get("labs.test", "/h2/a", "x-user", "ann").status()).isEqualTo(200);
            byte[] body = "twelve bytes".getBytes(StandardCharsets.US_ASCII);
            H2cClient.Response post = h2.send(HttpMethod.POST, "labs.test", "/h2/a", body, "x-user", "ann")
                    .get(10, TimeUnit.SECONDS);
            assertThat(post.status()).isEqualTo(200);
            assertThat(origin.bytesUploaded() - uploaded).as("the body went up after the check").isEqualTo(12);
            assertThat(h2.get("labs.test", "/h2/a", "x-user", "ann").status()).isEqualTo(200);
            H2cClient.Response refused = h2.get("labs.test", "/h2/a", "x-user", "ann");
            assertThat(refused.status()).as("the burst of 3 is spent").isEqualTo(429);
            assertThat(Long.parseLong(refused.headers().get("retry-after"))).isPositive();
            assertThat(h2.get("labs.test", "/h2/a", "x-user", "bob").status()).as("bob's own bucket").isEqualTo(200);
        }
        try (RawHttp http1 = p.raw()) {
            RawHttp.Response r = http1.exchange("GET /h2/a HTTP/1.1\r\nHost: labs.test\r\nx-user: ann\r\n\r\n");
            assertThat(r.status()).as("the same bucket over HTTP/1.1").isEqualTo(429);
            assertThat(http1.exchange("POST /h2/b HTTP/1.1\r\nHost: labs.test\r\nx-user: cy\r\n"
                    + "Content-Length: 5\r\n\r\nhello").status()).isEqualTo(200);
        }
        assertThat(redis.commands().pttl("bascule:/h2:ann")).as("ann's bucket expires by itself").isPositive();
        assertThat(fallbacks(p)).as("Redis decided every one").isZero();
    }

    @Test
    void aClientThatLeavesDuringItsCheckLeavesNothingBehind() throws Exception {
        ProxyUnderTest p = proxy("200ms");
        redis.commands().clientPause(300); // every check waits for its timeout now
        for (int i = 0; i < 5; i++) {
            try (Socket s = new Socket("127.0.0.1", p.port())) {
                s.getOutputStream().write(("POST /api/x HTTP/1.1\r\nHost: labs.test\r\nContent-Length: 4096\r\n\r\n"
                        + "x".repeat(1024)).getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
            }
        }
        try (RawH2 h2 = new RawH2(p.address())) {
            // A GET whose HEADERS end the stream (its end is held during the check), and a POST with a body the
            // proxy has not read yet; one reset, then the connection goes.
            h2.get(1, "/api/x")
                    .headers(3, RawH2.request("POST", "/api/x"), false)
                    .data(3, new byte[2048], false)
                    .rst(1, RawH2.CANCEL)
                    .flush();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(p.get("labs.test", "/api/after").statusCode()).isEqualTo(200));
    }

    @Test
    void theFallbackCounterAndTheExplanationShowTheGlobalLimit() throws Exception {
        ProxyUnderTest p = proxy("250ms");
        Scrape m = Scrape.of(p.bascule().adminAddress());
        assertThat(m.value("bascule_rate_limit_fallback_total")).isEqualTo(0.0);
        var explain = new dev.bascule.testing.AdminClient(p.bascule().adminAddress())
                .get("/explain?host=labs.test&path=/api/x&client=10.0.0.1");
        assertThat(explain.json().at("/route/rate_limit/scope").asText()).isEqualTo("global");
        assertThat(explain.json().at("/route/rate_limit/redis").asText()).isEqualTo("ok");
        assertThat(explain.json().at("/route/rate_limit/burst").asInt()).isEqualTo(BURST);
    }
}
