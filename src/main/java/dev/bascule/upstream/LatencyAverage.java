package dev.bascule.upstream;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Peak exponentially weighted moving average of a server's response latency, as Finagle's and Linkerd's
 * latency-aware balancers use it: a slower sample is taken at once (so a server that turns slow is avoided
 * immediately), faster samples pull the average down with decay time {@code tau}.
 *
 * <p>Threading: written by every event loop, read by balancers; lock-free. Two samples racing may lose one,
 * which an average tolerates.
 */
public final class LatencyAverage {
    /** Default decay time, as {@code ewma_decay}'s default in the config. */
    public static final long DEFAULT_DECAY_NANOS = 500_000_000L;

    private final AtomicLong averageNanos = new AtomicLong();
    private final AtomicLong stampNanos = new AtomicLong();
    private volatile long decayNanos = DEFAULT_DECAY_NANOS;

    public void setDecayNanos(long decayNanos) {
        this.decayNanos = Math.max(1, decayNanos);
    }

    /** @param now the data plane's clock at the sample */
    public void record(long sampleNanos, long now) {
        long sample = Math.max(0, sampleNanos);
        long prev = averageNanos.get();
        long last = stampNanos.getAndSet(now);
        long next;
        if (prev == 0 || sample > prev) {
            next = sample; // peak: react to a slowdown at once
        } else {
            double elapsed = Math.max(0, now - last);
            double w = Math.exp(-elapsed / decayNanos);
            next = (long) (prev * w + sample * (1 - w));
        }
        averageNanos.set(next);
    }

    /**
     * The average as seen at {@code now}: without samples it decays toward zero, so a server that was slow
     * once is tried again eventually.
     */
    public long averageNanos(long now) {
        long avg = averageNanos.get();
        if (avg == 0) {
            return 0;
        }
        double elapsed = Math.max(0, now - stampNanos.get());
        return (long) (avg * Math.exp(-elapsed / decayNanos));
    }
}
