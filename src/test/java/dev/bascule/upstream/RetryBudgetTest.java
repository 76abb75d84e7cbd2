package dev.bascule.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {
    @Test
    void floorOfThreeASecondThenTwentyPercentOfRequests() {
        AtomicLong now = new AtomicLong(5_000_000_000L);
        RetryBudget budget = new RetryBudget(0.2, 3, now::get);
        int allowed = 0;
        for (int i = 0; i < 10; i++) {
            if (budget.tryRetry()) {
                allowed++;
            }
        }
        assertThat(allowed).as("no traffic yet: only the floor").isEqualTo(3);
        for (int i = 0; i < 100; i++) {
            budget.requestStarted();
        }
        allowed = 0;
        for (int i = 0; i < 100; i++) {
            if (budget.tryRetry()) {
                allowed++;
            }
        }
        assertThat(allowed).as("20% of 100 requests").isEqualTo(20);
        now.addAndGet(1_000_000_000L);
        assertThat(budget.tryRetry()).as("a new second brings the floor back").isTrue();
    }
}
