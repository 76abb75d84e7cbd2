package dev.bascule.limit;

import dev.bascule.route.RateLimiter;

/**
 * The local bucket of a global rate limit, used while Redis does not answer: this instance's share of the limit,
 * {@code requests_per_second / live nodes} with {@code burst / live nodes} (at least 1), so that the fleet as a
 * whole admits about the limit. When the number of live nodes changes, a new local limiter with the new share
 * replaces the old one (its buckets start full: a membership change is rare, and a full bucket errs on letting
 * traffic through).
 *
 * <p>Threading: {@link #tryAcquire} from every event loop; two loops that see a new node count at once may each
 * build a limiter, and the last one stays (a few requests counted in the other are forgotten). {@link #expireIdle}
 * from the control thread.
 */
public final class FallbackLimiter {
    private final double ratePerSecond;
    private final int burst;
    private final int maxKeys;
    private final LiveNodes nodes;
    private volatile Share share;

    private record Share(int nodes, RateLimiter limiter) {}

    public FallbackLimiter(double ratePerSecond, int burst, int maxKeys, LiveNodes nodes) {
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
        this.maxKeys = maxKeys;
        this.nodes = nodes;
        this.share = share(1);
    }

    /** As {@link RateLimiter#tryAcquire}: 0 when the request may pass, else the nanoseconds until it would. */
    public long tryAcquire(String key, long nowNanos) {
        int n = Math.max(1, nodes.count());
        Share s = share;
        if (s.nodes() != n) {
            s = share(n);
            share = s;
        }
        return s.limiter().tryAcquire(key, nowNanos);
    }

    private Share share(int n) {
        return new Share(n, new RateLimiter(ratePerSecond / n, Math.max(1, burst / n), maxKeys));
    }

    /** The limiter in use now, for explain: its rate and burst are this instance's share. */
    public RateLimiter current() {
        return share.limiter();
    }

    public void expireIdle(long nowNanos) {
        share.limiter().expireIdle(nowNanos);
    }
}
