package dev.bascule.control;

import dev.bascule.stats.MirrorStats;

/**
 * A route's mirror in the units the data plane uses: the pool copies go to, which requests are copied, and how
 * many copies may be out at once.
 *
 * <p>Which requests: the route's requests are numbered (one atomic counter per route, no lock), and request n is
 * copied when {@code floor((n + 1) * share) > floor(n * share)}, as a line is drawn on a grid. So the share is
 * exact over every cycle, not merely on average: 10% copies exactly one request in ten (the 10th, the 20th ...),
 * 0.5% exactly one in two hundred, and any share exactly {@code perMillion} in each million.
 *
 * <p>Immutable; part of a snapshot. The counters it reads and moves ({@link MirrorStats}) outlive it.
 *
 * @param pool the mirror upstream's pool in the same snapshot
 * @param perMillion the share of requests copied, in millionths (1 to 1,000,000)
 * @param maxInFlight copies outstanding at once, on every event loop together
 * @param stats the route's long-lived mirror counters
 */
public record Mirror(Pool pool, int perMillion, int maxInFlight, MirrorStats stats) {
    static final int MILLION = 1_000_000;

    public Mirror {
        if (perMillion < 1 || perMillion > MILLION || maxInFlight < 1) {
            throw new IllegalArgumentException("share 1..1000000 per million and max_in_flight >= 1");
        }
    }

    /** Draws the next request of the route: whether it is one to copy. Lock-free; one atomic increment. */
    public boolean choose() {
        return chosen(stats.nextRequest(), perMillion);
    }

    /** Whether request {@code n} (from 0) of a route is copied at {@code perMillion}. */
    static boolean chosen(long n, int perMillion) {
        long i = n % MILLION;
        return (i + 1) * perMillion / MILLION > i * perMillion / MILLION;
    }

    /** Takes a place for a copy; false when {@code maxInFlight} are out. Give it back with {@link MirrorStats#ended}. */
    public boolean tryStart() {
        return stats.tryStart(maxInFlight);
    }

    /** The share as a percent, for people: {@code 10}, {@code 0.5}. */
    public String percentText() {
        return java.math.BigDecimal.valueOf(perMillion, 4).stripTrailingZeros().toPlainString();
    }

    @Override
    public String toString() {
        return percentText() + "% to " + pool.name();
    }
}
