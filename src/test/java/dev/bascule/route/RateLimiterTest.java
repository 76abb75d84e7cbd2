package dev.bascule.route;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RateLimiterTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void allowsTheBurstThenTheRate() {
        RateLimiter limiter = new RateLimiter(10, 5, 100);
        long now = 1_000 * SECOND;
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.tryAcquire("a", now)).isZero();
        }
        long wait = limiter.tryAcquire("a", now);
        assertThat(wait).isPositive().isLessThanOrEqualTo(SECOND / 10);
        assertThat(limiter.tryAcquire("a", now + wait)).isZero();
        assertThat(limiter.tryAcquire("b", now)).as("keys are independent").isZero();
    }

    @Test
    void averageRateHoldsOverTime() {
        RateLimiter limiter = new RateLimiter(100, 1, 100);
        long now = 0;
        int passed = 0;
        for (int ms = 0; ms < 10_000; ms++) { // one request every millisecond for 10 s
            if (limiter.tryAcquire("k", now + ms * 1_000_000L) == 0) {
                passed++;
            }
        }
        assertThat(passed).isBetween(999, 1001);
    }

    @Test
    void memoryStaysBoundedAndIdleKeysExpire() {
        RateLimiter limiter = new RateLimiter(1, 2, 1000);
        long now = 0;
        for (int i = 0; i < 5000; i++) {
            limiter.tryAcquire("k" + i, now);
        }
        assertThat(limiter.trackedKeys()).isEqualTo(1000);
        assertThat(limiter.tryAcquire("new", now)).as("a full table refuses new keys").isPositive();
        limiter.expireIdle(now + 2 * SECOND);
        assertThat(limiter.trackedKeys()).isZero();
        assertThat(limiter.tryAcquire("new", now + 2 * SECOND)).isZero();
    }
}
