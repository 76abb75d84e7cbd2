package dev.bascule.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** While Redis is out, each instance admits its share: the limit divided by the live nodes. */
class FallbackLimiterTest {
    private static final long SECOND = 1_000_000_000L;

    private static int passed(FallbackLimiter limiter, String key, long now, int tries) {
        int n = 0;
        for (int i = 0; i < tries; i++) {
            n += limiter.tryAcquire(key, now) == 0 ? 1 : 0;
        }
        return n;
    }

    @Test
    void oneNodeHasTheWholeLimit() {
        FallbackLimiter limiter = new FallbackLimiter(100, 200, 1000, LiveNodes.SINGLE);
        assertThat(passed(limiter, "a", SECOND, 500)).isEqualTo(200);
        assertThat(limiter.current().ratePerSecond()).isEqualTo(100);
    }

    @Test
    void threeNodesShareIt() {
        FallbackLimiter limiter = new FallbackLimiter(100, 200, 1000, () -> 3);
        assertThat(passed(limiter, "a", SECOND, 500)).as("burst 200 / 3").isEqualTo(66);
        assertThat(limiter.current().ratePerSecond()).isEqualTo(100 / 3.0);
        // One second later, a third of the rate has come back.
        assertThat(passed(limiter, "a", 2 * SECOND, 500)).isBetween(33, 34);
    }

    @Test
    void theShareFollowsTheNodeCountAndNeverDropsBelowOneToken() {
        AtomicInteger nodes = new AtomicInteger(1);
        FallbackLimiter limiter = new FallbackLimiter(10, 4, 1000, nodes::get);
        assertThat(limiter.tryAcquire("a", SECOND)).isZero();
        nodes.set(8);
        assertThat(passed(limiter, "b", SECOND, 10)).as("burst 4 / 8 rounds up to one token").isEqualTo(1);
        assertThat(limiter.current().ratePerSecond()).isEqualTo(10 / 8.0);
        nodes.set(0);
        assertThat(passed(limiter, "c", SECOND, 10)).as("a count below 1 counts as 1").isEqualTo(4);
    }
}
