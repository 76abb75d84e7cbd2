package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.bascule.limit.RedisBuckets;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.PacedLoad;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.RedisProcess;
import dev.bascule.testing.TestOrigin;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * A global rate limit when Redis is out or slow: requests are never failed because of Redis and never wait more
 * than the timeout (5 ms here, the default); the local share decides, each such request is counted, and the
 * outage is logged once when it starts and once when it ends.
 */
@ExtendWith(LeakGuard.class)
class GlobalRateLimitOutageTest {
    private static final String GET = "GET /api/x HTTP/1.1\r\nHost: labs.test\r\n\r\n";
    private static TestOrigin origin;
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger bucketsLog = (Logger) LoggerFactory.getLogger(RedisBuckets.class);
    private RedisProcess redis;
    private ProxyUnderTest proxy;

    @BeforeAll
    static void startOrigin() throws Exception {
        origin = TestOrigin.start("api");
    }

    @AfterAll
    static void stopOrigin() {
        if (origin != null) {
            origin.close();
        }
    }

    @BeforeEach
    void start() throws Exception {
        redis = RedisProcess.start();
        logged.start();
        bucketsLog.setLevel(Level.INFO); // the end of an outage is an info line; the tests' root level is WARN
        bucketsLog.addAppender(logged);
        proxy = ProxyUnderTest.start("""
                listeners: [ { address: 127.0.0.1:0 } ]
                redis: { address: %s }
                upstreams: { api: { servers: [ { address: %s } ] } }
                routes:
                  - match: { path_prefix: /api }
                    upstream: api
                    rate_limit: { requests_per_second: 100, burst: 200, scope: global }
                """.formatted(redis.address(), origin.address()), 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            proxy.get("labs.test", "/api/warm-up");
            return redis.commands().exists("bascule:/api:127.0.0.1") == 1;
        });
    }

    @AfterEach
    void stop() {
        bucketsLog.detachAppender(logged);
        bucketsLog.setLevel(null);
        if (proxy != null) {
            proxy.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private long fallbacks() {
        return proxy.bascule().control().stats().rateLimitFallbacks().sum();
    }

    /** Whether the route's limit is in an outage now (a busy machine may have started one on its own). */
    private boolean inOutage() {
        return proxy.bascule().control().live().get().routes().routes().get(0).target().globalLimit().inOutage();
    }

    private long logLines(Level level, String text) {
        return logged.list.stream().filter(e -> e.getLevel() == level && e.getFormattedMessage().contains(text))
                .count();
    }

    @Test
    void redisStoppedMidRunTrafficFlowsOnTheLocalShareThenRedisCountsAgain() throws Exception {
        try (PacedLoad load = new PacedLoad(proxy.address(), GET, 150, 3000)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> load.admitted() >= 50 && !inOutage());
            long warningsBefore = logLines(Level.WARN, "each instance now applies its share");
            redis.stop();
            long admittedWhenStopped = load.admitted();
            long fallbacksWhenStopped = fallbacks();
            await().atMost(Duration.ofSeconds(20)).until(() -> fallbacks() >= fallbacksWhenStopped + 50
                    && load.admitted() >= admittedWhenStopped + 20);
            assertThat(logLines(Level.WARN, "each instance now applies its share") - warningsBefore)
                    .as("one warning per outage").isEqualTo(1);
            assertThat(load.failures()).as("no request failed because of Redis").isEmpty();

            redis.restart();
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    logLines(Level.INFO, "answers in time again") >= 1
                            && redis.commands().exists("bascule:/api:127.0.0.1") == 1);
            long admittedBack = load.admitted();
            await().atMost(Duration.ofSeconds(20)).until(() -> load.admitted() >= admittedBack + 20);
            assertThat(redis.commands().pttl("bascule:/api:127.0.0.1")).as("Redis holds the bucket again")
                    .isPositive();
            assertThat(load.failures()).isEmpty();
        }
    }

    @Test
    void aSlowRedisIsNotWaitedForBeyondTheTimeout() throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            proxy.get("labs.test", "/api/warm-up");
            return !inOutage();
        });
        long before = fallbacks();
        long warningsBefore = logLines(Level.WARN, "did not answer within 5.0ms");
        redis.commands().clientPause(1500); // Redis answers nobody for 1.5 s
        long slowest = 0;
        try (RawHttp client = proxy.raw()) {
            for (int i = 0; i < 20; i++) {
                long start = System.nanoTime();
                RawHttp.Response r = client.exchange(GET);
                slowest = Math.max(slowest, System.nanoTime() - start);
                assertThat(r.status()).isIn(200, 429);
            }
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(slowest)).as("every answer came long before Redis's").isLessThan(700);
        assertThat(fallbacks()).as("decided locally").isGreaterThan(before);
        assertThat(logLines(Level.WARN, "did not answer within 5.0ms") - warningsBefore).as("one warning")
                .isEqualTo(1);

        // Once the pause ends, a probe is answered in time and Redis decides again.
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            proxy.get("labs.test", "/api/again");
            return !inOutage() && logLines(Level.INFO, "answers in time again") >= 1;
        });
    }
}
