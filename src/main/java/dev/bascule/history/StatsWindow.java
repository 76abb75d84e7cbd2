package dev.bascule.history;

import java.util.List;

/**
 * The last seconds of a {@link StatsRing}, copied out: sample times and, aligned with them, the values of every
 * series that existed during the window. A value is NaN where the series did not exist yet (or any more), and for
 * a latency in a second when nothing finished.
 *
 * <p>Immutable once built (the arrays are copies no one else holds).
 *
 * @param intervalMillis the time between samples
 * @param capacitySeconds how far back the ring reaches at most
 * @param timesMillis wall-clock time of each sample, oldest first
 * @param series in the order the ring first saw them
 */
public record StatsWindow(long intervalMillis, int capacitySeconds, long[] timesMillis, List<SeriesWindow> series) {

    /**
     * One series over the window.
     *
     * @param upstream the upstream; {@code ""} for {@link SeriesKind#TOTAL} and for requests no route matched
     * @param name the server's address, the route's label ({@code ""}: no route matched), else {@code ""}
     * @param values one array per metric of {@link SeriesKind#metrics()}, each aligned with the window's times
     */
    public record SeriesWindow(SeriesKind kind, String upstream, String name, float[][] values) {

        public float[] values(Metric metric) {
            int i = kind.metrics().indexOf(metric);
            if (i < 0) {
                throw new IllegalArgumentException(kind + " series keep no " + metric);
            }
            return values[i];
        }
    }

    public StatsWindow {
        series = List.copyOf(series);
    }

    /** The one series of {@code kind} named so, or null. */
    public SeriesWindow find(SeriesKind kind, String upstream, String name) {
        for (SeriesWindow s : series) {
            if (s.kind() == kind && s.upstream().equals(upstream) && s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }
}
