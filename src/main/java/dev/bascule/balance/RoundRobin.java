package dev.bascule.balance;

import dev.bascule.upstream.Server;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Smooth weighted round robin ({@code round_robin}), nginx's algorithm: weights 2:1 give a, b, a rather than
 * a, a, b, so a heavy server never takes a burst. Every full cycle holds each server exactly in proportion to
 * its weight.
 *
 * <p>nginx runs the algorithm on every pick under a lock. Here one full cycle is played out at construction into
 * an {@code int[]} and {@link #pick} steps through it with a single atomic counter, which keeps picking
 * lock-free and exact across threads: the counter hands every position of the cycle to exactly one pick.
 *
 * <p>A cycle is as long as the sum of the weights divided by their gcd. When that exceeds {@link #MAX_CYCLE}
 * positions (or a budget for the O(servers × positions) build, which lowers the cap for pools of more than 256
 * servers), the weights are scaled down proportionally, each server keeping at least one slot, so the cycle
 * holds about the cap (at most one more position per server). Proportions then become approximate rather than
 * memory growing with odd weights such as 1000003:1000000.
 *
 * <p>Threading: immutable apart from the position counter; {@link #pick} and {@link #peek} are safe from any
 * number of threads.
 */
public final class RoundRobin implements Balancer {
    /** The name in configuration. */
    public static final String NAME = "round_robin";
    /** Longest cycle kept: 4 MiB of {@code int}s. */
    static final int MAX_CYCLE = 1 << 20;
    /** Bounds the build (servers × cycle steps) so a rebuild of a large, oddly weighted pool stays short. */
    private static final long BUILD_BUDGET = 1L << 28;

    private final Server[] servers;
    private final int[] cycle;
    /** Taken by every event loop on each pick; carried into the balancer that replaces this one. */
    private final AtomicLong position;

    /**
     * @param previous when it is a {@code RoundRobin}, its position is carried over so that frequent rebuilds
     *     (health flaps, drains) do not hand the first picks of every new cycle to the first server
     */
    public RoundRobin(List<Server> candidates, Balancer previous) {
        this.servers = candidates.toArray(new Server[0]);
        this.cycle = buildCycle(servers);
        long start = previous instanceof RoundRobin rr ? rr.position.get() : 0;
        this.position = new AtomicLong(start);
    }

    @Override
    public Server pick(PickContext context) {
        int length = cycle.length;
        if (length == 0) {
            return null;
        }
        int at = (int) Math.floorMod(position.getAndIncrement(), (long) length);
        Server first = servers[cycle[at]];
        if (!context.excluded(first)) {
            return first;
        }
        // A retry takes what the cycle offers next, so it still leans towards the heavier servers.
        int probes = (int) Math.min(length, 2L * servers.length);
        for (int k = 1; k < probes; k++) {
            if (++at == length) {
                at = 0;
            }
            Server s = servers[cycle[at]];
            if (!context.excluded(s)) {
                return s;
            }
        }
        if (probes == length) {
            return null; // the whole cycle, hence every server, was looked at
        }
        // A light server may sit far ahead in a long cycle; do not walk the cycle to find it.
        for (int k = 1; k <= servers.length; k++) {
            Server s = servers[(cycle[at] + k) % servers.length];
            if (!context.excluded(s)) {
                return s;
            }
        }
        return null;
    }

    /**
     * The server the next pick goes to if nothing is excluded and no other pick comes first. Reads the position
     * without taking it, so showing it (the admin API's explain) does not move the rotation; null when there are
     * no candidates.
     */
    public Server peek() {
        int length = cycle.length;
        if (length == 0) {
            return null;
        }
        return servers[cycle[(int) Math.floorMod(position.get(), (long) length)]];
    }

    /** Positions in one full cycle; visible for tests. */
    int cycleLength() {
        return cycle.length;
    }

    private static int[] buildCycle(Server[] servers) {
        int n = servers.length;
        if (n == 0) {
            return new int[0];
        }
        long[] weights = new long[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            weights[i] = servers[i].weight();
            total += weights[i];
        }
        total = reduce(weights, total);
        long limit = Math.min(MAX_CYCLE, Math.max(n, BUILD_BUDGET / n));
        if (total > limit) {
            long scaled = 0;
            for (int i = 0; i < n; i++) {
                weights[i] = Math.max(1, weights[i] * limit / total);
                scaled += weights[i];
            }
            total = reduce(weights, scaled);
        }
        int[] cycle = new int[(int) total];
        long[] current = new long[n];
        for (int step = 0; step < cycle.length; step++) {
            int best = 0;
            for (int i = 0; i < n; i++) {
                current[i] += weights[i];
                // Strictly greater: ties go to the earlier server, as in nginx (5:1:1 gives a a b a c a a).
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            cycle[step] = best;
        }
        return cycle;
    }

    /** Divides the weights by their gcd in place and returns the new total. */
    private static long reduce(long[] weights, long total) {
        long g = 0;
        for (long w : weights) {
            g = gcd(g, w);
        }
        for (int i = 0; i < weights.length; i++) {
            weights[i] /= g;
        }
        return total / g;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
