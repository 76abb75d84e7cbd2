package dev.bascule.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.testing.RedisProcess;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The GCRA script and the connection against a real redis-server: a bucket's burst and refill, one bucket shared by
 * two clients (two instances), Redis's own clock, keys that expire by themselves, EVAL after NOSCRIPT, AUTH, and
 * what happens with no server at all.
 */
class RedisBucketsTest {
    private static final long TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static RedisProcess redis;
    private final LongAdder fallbacks = new LongAdder();
    private RedisBuckets buckets;
    private RedisBuckets other;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisProcess.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @AfterEach
    void closeBuckets() {
        for (RedisBuckets b : new RedisBuckets[] {buckets, other}) {
            if (b != null) {
                b.close();
            }
        }
        redis.commands().flushall();
    }

    private static RedisSettings settings(int port, String username, String password) {
        return new RedisSettings("127.0.0.1", port, username, password, 0, TIMEOUT_NANOS, "test:");
    }

    private RedisBuckets connected(RedisSettings settings) {
        RedisBuckets b = RedisBuckets.open(settings, fallbacks);
        await().atMost(Duration.ofSeconds(10)).until(b::connected);
        return b;
    }

    /** One check, waited for as long as it takes (the timeout is the data plane's business, not tested here). */
    private static long check(RedisBuckets b, String key, double rate, int burst) throws Exception {
        long interval = GcraScript.intervalMicros(rate);
        String[] args = {Long.toString(interval), Long.toString(interval * (burst - 1L))};
        CompletableFuture<Long> result = new CompletableFuture<>();
        b.ask(key, args, 7, new BucketAnswer() {
            @Override
            public void answered(long tag, long waitMicros) {
                assertThat(tag).isEqualTo(7);
                result.complete(waitMicros);
            }

            @Override
            public void failed(long tag, Throwable cause) {
                result.completeExceptionally(cause);
            }
        });
        return result.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aBucketLetsTheBurstThroughThenAsksToWaitOneInterval() throws Exception {
        buckets = connected(settings(redis.port(), null, null));
        for (int i = 0; i < 5; i++) {
            assertThat(check(buckets, "test:r:a", 10, 5)).as("token %d of the burst", i + 1).isZero();
        }
        long wait = check(buckets, "test:r:a", 10, 5);
        assertThat(wait).as("the next token comes one interval (100 ms) after the first was taken, at most")
                .isPositive().isLessThanOrEqualTo(100_000);
        assertThat(check(buckets, "test:r:b", 10, 5)).as("another key has its own bucket").isZero();
    }

    @Test
    void theKeyExpiresWhenItsBucketIsFullAgain() throws Exception {
        buckets = connected(settings(redis.port(), null, null));
        check(buckets, "test:r:expiring", 1, 5);
        long pttl = redis.commands().pttl("test:r:expiring");
        // One token taken of five at 1/s: the bucket is full again one interval (1 s) later.
        assertThat(pttl).isPositive().isLessThanOrEqualTo(1001);
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.commands().exists("test:r:expiring") == 0);
    }

    @Test
    void twoInstancesDrawFromOneBucket() throws Exception {
        buckets = connected(settings(redis.port(), null, null));
        other = connected(settings(redis.port(), null, null));
        int passed = 0;
        for (int i = 0; i < 6; i++) {
            passed += check(i % 2 == 0 ? buckets : other, "test:r:shared", 0.01, 5) == 0 ? 1 : 0;
        }
        assertThat(passed).as("the burst, shared").isEqualTo(5);
    }

    @Test
    void theBucketRunsOnRedisTime() throws Exception {
        buckets = connected(settings(redis.port(), null, null));
        List<String> time = redis.commands().time();
        long nowMicros = Long.parseLong(time.get(0)) * 1_000_000 + Long.parseLong(time.get(1));
        // A TAT 10 s ahead of Redis's clock: whatever this JVM's clock says, the wait is about 10 s less the
        // tolerance (4 intervals of 100 ms).
        redis.commands().set("test:r:future", Long.toString(nowMicros + 10_000_000));
        long wait = check(buckets, "test:r:future", 10, 5);
        assertThat(wait).isBetween(9_000_000L, 9_600_000L);
    }

    @Test
    void aFlushedScriptIsSentWholeAgain() throws Exception {
        buckets = connected(settings(redis.port(), null, null));
        assertThat(check(buckets, "test:r:noscript", 10, 5)).isZero();
        redis.commands().scriptFlush();
        assertThat(redis.commands().scriptExists(GcraScript.SHA1)).containsExactly(false);
        assertThat(check(buckets, "test:r:noscript", 10, 5)).as("NOSCRIPT, then EVAL").isZero();
        assertThat(redis.commands().scriptExists(GcraScript.SHA1)).as("EVAL loaded it").containsExactly(true);
    }

    @Test
    void withoutAServerNothingIsAskedAndTheFirstFallbackStartsAnOutage() {
        int closedPort = redis.port(); // a port with no server: the test server's, while a second one is made
        try (RedisProcess spare = RedisProcess.start()) {
            closedPort = spare.port();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        buckets = RedisBuckets.open(settings(closedPort, null, null), fallbacks);
        assertThat(buckets.connected()).isFalse();
        assertThat(buckets.shouldAsk(0)).as("nothing to ask").isFalse();
        assertThat(buckets.inOutage()).isFalse();
        buckets.fellBack(0, null);
        assertThat(buckets.inOutage()).isTrue();
        buckets.fellBack(1, null);
        assertThat(fallbacks.sum()).isEqualTo(2);
    }

    @Test
    void duringAnOutageOneRequestPerProbeIntervalAsksRedis() {
        buckets = connected(settings(redis.port(), null, null));
        long t0 = 1_000_000_000L;
        assertThat(buckets.shouldAsk(t0)).as("no outage: every request asks").isTrue();
        buckets.fellBack(t0, null);
        buckets.fellBack(t0, null);
        buckets.answeredInTime();
        buckets.fellBack(t0, null);
        buckets.fellBack(t0, null);
        assertThat(buckets.inOutage()).as("two misses in a row are no outage yet").isFalse();
        assertThat(buckets.shouldAsk(t0)).isTrue();
        buckets.fellBack(t0, null);
        assertThat(buckets.inOutage()).as("the third is").isTrue();
        assertThat(fallbacks.sum()).as("each one counted").isEqualTo(5);
        assertThat(buckets.shouldAsk(t0 + 1)).isFalse();
        long probe = t0 + RedisBuckets.PROBE_INTERVAL_NANOS;
        assertThat(buckets.shouldAsk(probe)).as("the probe's turn").isTrue();
        assertThat(buckets.shouldAsk(probe)).as("one probe per interval").isFalse();
        buckets.answeredInTime();
        assertThat(buckets.inOutage()).isFalse();
        assertThat(buckets.shouldAsk(probe + 1)).isTrue();
    }

    @Test
    void aPasswordAndAnAclUser() throws Exception {
        try (RedisProcess locked = RedisProcess.start("--requirepass", "s3cret", "--user", "limits", "on", ">pw",
                "~test:*", "+@all")) {
            buckets = connected(settings(locked.port(), null, "s3cret"));
            assertThat(check(buckets, "test:r:auth", 10, 5)).isZero();
            other = connected(settings(locked.port(), "limits", "pw"));
            assertThat(check(other, "test:r:auth", 10, 5)).isZero();
            buckets.close();
            buckets = null;
            other.close();
            other = null;
            RedisBuckets wrong = RedisBuckets.open(settings(locked.port(), null, "wrong"), fallbacks);
            try {
                // AUTH fails, so it never connects, and every check is decided locally.
                await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                        .until(() -> !wrong.connected() && !wrong.shouldAsk(0));
            } finally {
                wrong.close();
            }
        }
    }
}
