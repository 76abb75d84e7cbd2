package dev.bascule.route;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-key rate limiting as a token bucket, computed with the generic cell rate algorithm (GCRA): each key keeps
 * one number, the theoretical arrival time of its next request, so a check is one compare-and-set. {@code
 * ratePerSecond} requests a second on average, bursts of up to {@code burst}.
 *
 * <p>Memory stays bounded however many keys arrive: at most {@code maxKeys} are tracked; {@link #expireIdle}
 * (called by the control plane) drops keys whose bucket is full again, and a new key that finds the table full
 * is refused.
 *
 * <p>Threading: {@link #tryAcquire} is called from every event loop; lock-free apart from the map's own
 * striping when a key is first seen. {@link #tokens} may be called from any thread and changes nothing.
 */
public final class RateLimiter {
    private final double ratePerSecond;
    private final int burst;
    private final long intervalNanos;
    private final long toleranceNanos;
    private final int maxKeys;
    private final ConcurrentHashMap<String, AtomicLong> buckets = new ConcurrentHashMap<>();

    public RateLimiter(double ratePerSecond, int burst, int maxKeys) {
        if (ratePerSecond <= 0 || burst < 1) {
            throw new IllegalArgumentException("rate must be > 0 and burst >= 1");
        }
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
        this.intervalNanos = Math.max(1, (long) (1_000_000_000L / ratePerSecond));
        this.toleranceNanos = intervalNanos * (burst - 1L);
        this.maxKeys = maxKeys;
    }

    /**
     * Takes one token for {@code key}.
     *
     * @return 0 when the request may pass, else the nanoseconds until it would
     */
    public long tryAcquire(String key, long nowNanos) {
        AtomicLong tat = buckets.get(key);
        if (tat == null) {
            if (buckets.size() >= maxKeys) {
                return intervalNanos; // table full: fail closed for new keys rather than grow without bound
            }
            tat = buckets.computeIfAbsent(key, k -> new AtomicLong(nowNanos));
        }
        for (;;) {
            long t = tat.get();
            long start = t - nowNanos > 0 ? t : nowNanos;
            long wait = start - toleranceNanos - nowNanos;
            if (wait > 0) {
                return wait;
            }
            if (tat.compareAndSet(t, start + intervalNanos)) {
                return 0;
            }
        }
    }

    /**
     * The tokens {@code key} has at {@code nowNanos}: how many requests {@link #tryAcquire} would let through back
     * to back, from 0 to {@link #burst()}. Reads only: it takes no token and starts tracking no key, so the admin
     * API's explain can show a bucket without draining it. A key not tracked has a full bucket, unless the table
     * is full, where a new key gets none.
     */
    public int tokens(String key, long nowNanos) {
        AtomicLong tat = buckets.get(key);
        if (tat == null) {
            return buckets.size() >= maxKeys ? 0 : burst;
        }
        long t = tat.get();
        long start = t - nowNanos > 0 ? t : nowNanos;
        // The k-th request from now passes while start + (k - 1) * interval - tolerance <= now (as in tryAcquire).
        long slack = nowNanos + toleranceNanos - start;
        if (slack < 0) {
            return 0;
        }
        return (int) Math.min(burst, slack / intervalNanos + 1);
    }

    /** Requests a second on average, as configured. */
    public double ratePerSecond() {
        return ratePerSecond;
    }

    /** The most tokens a bucket holds: requests that may pass back to back after a quiet spell. */
    public int burst() {
        return burst;
    }

    /** Forgets keys whose bucket has refilled completely: they would start out the same if seen again. */
    public void expireIdle(long nowNanos) {
        buckets.entrySet().removeIf(e -> e.getValue().get() - nowNanos <= 0);
    }

    public int trackedKeys() {
        return buckets.size();
    }
}
