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

    @Test
    void tokensCountsWhatIsLeftWithoutTakingAny() {
        RateLimiter limiter = new RateLimiter(10, 5, 100);
        long now = 1_000 * SECOND;
        assertThat(limiter.tokens("a", now)).as("an unseen key has a full bucket").isEqualTo(5);
        assertThat(limiter.trackedKeys()).as("looking starts tracking nothing").isZero();

        for (int taken = 1; taken <= 5; taken++) {
            assertThat(limiter.tryAcquire("a", now)).isZero();
            for (int look = 0; look < 3; look++) {
                assertThat(limiter.tokens("a", now)).isEqualTo(5 - taken);
            }
        }
        assertThat(limiter.tryAcquire("a", now)).as("tokens 0 means tryAcquire refuses").isPositive();

        assertThat(limiter.tokens("a", now + SECOND / 10)).as("one interval refills one token").isEqualTo(1);
        assertThat(limiter.tokens("a", now + SECOND / 10 - 1)).isZero();
        assertThat(limiter.tokens("a", now + 10 * SECOND)).as("never above the burst").isEqualTo(5);
        assertThat(limiter.tryAcquire("a", now + SECOND / 10)).as("and that token is really there").isZero();
        assertThat(limiter.tokens("a", now + SECOND / 10)).isZero();
        assertThat(limiter.burst()).isEqualTo(5);
        assertThat(limiter.ratePerSecond()).isEqualTo(10.0);
    }

    @Test
    void tokensAgreesWithTryAcquireAtEveryStep() {
        RateLimiter looked = new RateLimiter(3, 4, 100);
        RateLimiter taken = new RateLimiter(3, 4, 100);
        long now = 0;
        for (int step = 0; step < 200; step++) {
            now += (step * 7919L % 13) * SECOND / 20; // uneven arrivals, some at the same instant
            int tokens = looked.tokens("k", now);
            int passed = 0;
            while (taken.tryAcquire("k", now) == 0) { // drain a copy to count what was really there
                passed++;
            }
            assertThat(tokens).as("step %d", step).isEqualTo(passed);
            for (int i = 0; i < passed; i++) {
                assertThat(looked.tryAcquire("k", now)).isZero();
            }
        }
    }

    @Test
    void aFullTableShowsNoTokensForANewKey() {
        RateLimiter limiter = new RateLimiter(1, 2, 1);
        limiter.tryAcquire("first", 0);
        assertThat(limiter.tokens("second", 0)).isZero();
        assertThat(limiter.tokens("first", 0)).isEqualTo(1);
    }
}
