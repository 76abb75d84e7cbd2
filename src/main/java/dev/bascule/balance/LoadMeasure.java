package dev.bascule.balance;

import dev.bascule.upstream.Server;

/**
 * A way to compare how loaded two servers are, so one choosing strategy (power of two choices) combines with
 * several measures: in-flight requests ({@code random_two}) or peak latency times in-flight ({@code ewma}).
 *
 * <p>Threading: implementations are stateless and read per-server atomics only.
 */
@FunctionalInterface
interface LoadMeasure {
    /** In-flight requests per unit of weight. */
    LoadMeasure IN_FLIGHT = (a, b, now) -> Load.lighter(a, b);

    /** Peak-EWMA latency times (in-flight + 1), per unit of weight: Finagle's and Linkerd's measure. */
    LoadMeasure PEAK_EWMA = (a, b, now) -> {
        double costA = PeakEwma.cost(a, now);
        double costB = PeakEwma.cost(b, now);
        return costA * b.weight() < costB * a.weight();
    };

    /**
     * True when {@code a} is strictly less loaded than {@code b}.
     *
     * @param now the data plane's clock, for measures that decay with time
     */
    boolean lighter(Server a, Server b, long now);

    /** The latency cost of one server. */
    final class PeakEwma {
        private PeakEwma() {}

        static double cost(Server s, long now) {
            // +1 so that a server with no requests in flight still compares by latency, and an unmeasured one
            // (average 0) is tried first: a new server gets its first samples quickly.
            return (double) s.state().latency().averageNanos(now) * (Load.inFlight(s) + 1);
        }
    }
}
