package dev.bascule.stats;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts of one upstream as a whole: retries by reason. Lives as long as the upstream is configured.
 *
 * <p>Threading: recorded on any event loop, read on any thread.
 */
public final class UpstreamStats {
    private final LongAdder[] retries = new LongAdder[RetryReason.values().length];

    public UpstreamStats() {
        for (int i = 0; i < retries.length; i++) {
            retries[i] = new LongAdder();
        }
    }

    public void retried(RetryReason reason) {
        retries[reason.ordinal()].increment();
    }

    public long retries(RetryReason reason) {
        return retries[reason.ordinal()].sum();
    }
}
