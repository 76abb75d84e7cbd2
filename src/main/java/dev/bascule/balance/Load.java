package dev.bascule.balance;

import dev.bascule.upstream.Server;

/**
 * How loaded a server is, kept apart from how a strategy chooses so the two combine freely ({@link LeastConn}
 * and {@link RandomTwo} share it; {@link LoadMeasure#PEAK_EWMA} adds latency to it).
 *
 * <p>Load is in-flight requests per unit of weight, compared by cross-multiplying so that no division rounds
 * two different loads into a tie.
 *
 * <p>Threading: stateless; reads per-server atomics only.
 */
final class Load {
    private Load() {}

    /** True when {@code a} carries strictly less load per unit of weight than {@code b}. */
    static boolean lighter(Server a, Server b) {
        return inFlight(a) * b.weight() < inFlight(b) * a.weight();
    }

    /**
     * A finish counted without its start would drive the count below zero, and a negative count would look
     * better the heavier the server's weight; clamping keeps such a bug from steering traffic.
     */
    static long inFlight(Server s) {
        return Math.max(0, s.state().inFlight());
    }
}
