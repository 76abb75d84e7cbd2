package dev.bascule.history;

import dev.bascule.stats.LatencyHistogram;
import dev.bascule.stats.RouteSeries;
import dev.bascule.stats.StatusCounts;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A ring of one-second samples: at each {@link #sample} it reads every recorder, subtracts what it read the time
 * before, and stores the rates and quantiles of that interval, per series, in primitive arrays of {@link
 * #capacity()} slots (a float per metric per second: fifteen minutes of a route cost 29 KB, whatever the traffic).
 *
 * <p>Counters are kept apart by recorder (by identity), never summed before the subtraction: a listener or a route
 * that a reload removes takes its counts with it without making the totals go backwards, and one that a reload
 * adds counts from zero. The first sample only reads where every counter stands.
 *
 * <p>Rates divide by the time the monotonic clock says passed, so a late tick (a GC pause) gives the average
 * over the longer interval, not a spike; a tick that comes less than half an interval after the previous sample
 * (a scheduler catching up on the late one) is skipped, its counts left to the next. So the sum of each sample's
 * rate times the time since the sample before is exactly what was counted. The wall clock only stamps the
 * samples.
 *
 * <p>Threading: confined to one thread ({@link LiveStats}'s); not thread-safe.
 */
public final class StatsRing {
    /** Fifteen minutes of one-second samples. */
    public static final int CAPACITY = 900;
    /** The time between samples that {@link LiveStats} keeps. */
    public static final long INTERVAL_MILLIS = 1000;
    /** A tick closer than this to the previous sample is skipped. */
    private static final long SHORTEST_NANOS = INTERVAL_MILLIS * 1_000_000 / 2;

    private static final int BUCKETS = LatencyHistogram.bucketCount();

    private final int capacity;
    private final LongSupplier nanoTime;
    private final LongSupplier epochMillis;
    private final long[] times;
    private final Map<SeriesKey, SeriesRing> series = new LinkedHashMap<>();
    /** What each recorder read at the previous sample, by recorder identity. */
    private Map<Object, long[]> previous = new IdentityHashMap<>();
    /** Samples stored so far; the next goes to slot {@code written % capacity}. */
    private long written;
    private long lastNanos;
    private boolean started;

    private record SeriesKey(SeriesKind kind, String upstream, String name) {}

    /** One series' values, a row of {@code capacity} slots per metric. */
    private static final class SeriesRing {
        final float[][] values;
        /** The last sample this series took part in. */
        long lastWritten;

        SeriesRing(int metrics, int capacity) {
            values = new float[metrics][capacity];
            for (float[] row : values) {
                Arrays.fill(row, Float.NaN);
            }
        }
    }

    /**
     * @param nanoTime a monotonic clock, which rates are computed with
     * @param epochMillis the wall clock, which samples are stamped with
     */
    public StatsRing(int capacity, LongSupplier nanoTime, LongSupplier epochMillis) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
        }
        this.capacity = capacity;
        this.nanoTime = nanoTime;
        this.epochMillis = epochMillis;
        this.times = new long[capacity];
    }

    public int capacity() {
        return capacity;
    }

    /** Samples stored so far (not counting the first, which only reads where counters stand). */
    public long written() {
        return written;
    }

    /**
     * Reads every recorder and stores what moved since the previous call as one sample.
     *
     * @return false for the first call, and for one less than half an interval after the previous sample: those
     *     store nothing
     */
    public boolean sample(Recorders recorders) {
        long now = nanoTime.getAsLong();
        if (started && now - lastNanos < SHORTEST_NANOS) {
            return false; // what moved counts in the next sample
        }
        Map<Object, long[]> current = new IdentityHashMap<>();
        Interval interval = new Interval(current);
        if (!started) {
            interval.readOnly(recorders);
            previous = current;
            lastNanos = now;
            started = true;
            return false;
        }
        double seconds = (now - lastNanos) / 1e9;
        int slot = (int) (written % capacity);
        times[slot] = epochMillis.getAsLong();

        Moved total = new Moved();
        Map<String, Moved> upstreams = new LinkedHashMap<>();
        for (String u : recorders.upstreams()) {
            upstreams.put(u, new Moved());
        }
        for (RouteSeries route : recorders.routes()) {
            Moved moved = new Moved();
            for (StatusCounts counts : route.requestsByListener()) {
                moved.addStatus(interval.statuses(counts));
            }
            moved.addHistogram(interval.histogram(route.stats().duration()));
            store(slot, SeriesKind.ROUTE, route.upstream(), route.route(), moved.routeValues(seconds));
            total.add(moved);
            Moved upstream = upstreams.get(route.upstream());
            if (upstream != null) {
                upstream.add(moved);
            }
        }
        store(slot, SeriesKind.TOTAL, "", "", total.values(seconds));
        for (Map.Entry<String, Moved> u : upstreams.entrySet()) {
            store(slot, SeriesKind.UPSTREAM, u.getKey(), "", u.getValue().values(seconds));
        }
        for (Recorders.ServerRecorder server : recorders.servers()) {
            Moved moved = new Moved();
            moved.addStatus(interval.statuses(server.stats().responses()));
            long connectFailures = interval.counter(server.stats(), server.stats().connectFailures());
            moved.requests += connectFailures;
            moved.errors += connectFailures;
            moved.addHistogram(interval.histogram(server.stats().responseTime()));
            store(slot, SeriesKind.SERVER, server.upstream(), server.address(), moved.values(seconds));
        }
        for (Iterator<SeriesRing> it = series.values().iterator(); it.hasNext(); ) {
            SeriesRing s = it.next();
            if (s.lastWritten == written) {
                continue;
            }
            if (written - s.lastWritten >= capacity) {
                it.remove(); // none of its samples is left in the ring
                continue;
            }
            for (float[] row : s.values) {
                row[slot] = Float.NaN;
            }
        }
        written++;
        previous = current;
        lastNanos = now;
        return true;
    }

    private void store(int slot, SeriesKind kind, String upstream, String name, double[] values) {
        SeriesRing s = series.computeIfAbsent(new SeriesKey(kind, upstream, name),
                k -> new SeriesRing(kind.metrics().size(), capacity));
        for (int m = 0; m < values.length; m++) {
            s.values[m][slot] = (float) values[m];
        }
        s.lastWritten = written;
    }

    /**
     * The last {@code seconds} samples (fewer when the ring holds fewer), those stamped after {@code sinceMillis}
     * only, with every series that has a value among them.
     */
    public StatsWindow window(int seconds, long sinceMillis) {
        long count = Math.min(Math.min(written, capacity), Math.max(seconds, 0));
        List<Integer> slots = new ArrayList<>();
        for (long seq = written - count; seq < written; seq++) {
            int slot = (int) (seq % capacity);
            if (times[slot] > sinceMillis) {
                slots.add(slot);
            }
        }
        long[] windowTimes = new long[slots.size()];
        for (int i = 0; i < windowTimes.length; i++) {
            windowTimes[i] = times[slots.get(i)];
        }
        List<StatsWindow.SeriesWindow> out = new ArrayList<>();
        for (Map.Entry<SeriesKey, SeriesRing> e : series.entrySet()) {
            SeriesRing s = e.getValue();
            float[][] values = new float[s.values.length][windowTimes.length];
            boolean present = false;
            for (int i = 0; i < windowTimes.length; i++) {
                int slot = slots.get(i);
                present |= !Float.isNaN(s.values[0][slot]); // requests: a number wherever the series existed
                for (int m = 0; m < values.length; m++) {
                    values[m][i] = s.values[m][slot];
                }
            }
            if (present) {
                SeriesKey k = e.getKey();
                out.add(new StatsWindow.SeriesWindow(k.kind(), k.upstream(), k.name(), values));
            }
        }
        return new StatsWindow(INTERVAL_MILLIS, capacity, windowTimes, out);
    }

    /** Reads recorders and returns how far each moved since the previous sample, remembering the new readings. */
    private final class Interval {
        private final Map<Object, long[]> current;

        Interval(Map<Object, long[]> current) {
            this.current = current;
        }

        /** Reads every recorder without computing anything: the baseline of the next sample. */
        void readOnly(Recorders recorders) {
            for (RouteSeries route : recorders.routes()) {
                for (StatusCounts counts : route.requestsByListener()) {
                    statuses(counts);
                }
                histogram(route.stats().duration());
            }
            for (Recorders.ServerRecorder server : recorders.servers()) {
                statuses(server.stats().responses());
                counter(server.stats(), server.stats().connectFailures());
                histogram(server.stats().responseTime());
            }
        }

        /** Growth of {total, 2xx, 3xx, 4xx, 5xx}. */
        long[] statuses(StatusCounts counts) {
            long[] now = {counts.total(), counts.sum(200, 300), counts.sum(300, 400), counts.sum(400, 500),
                    counts.sum(500, 600)};
            return moved(counts, now);
        }

        long[] histogram(LatencyHistogram histogram) {
            long[] now = new long[BUCKETS];
            histogram.copyBuckets(now);
            return moved(histogram, now);
        }

        /** Growth of one counter, the reading of {@code owner} (which has no other). */
        long counter(Object owner, long value) {
            return moved(owner, new long[] {value})[0];
        }

        private long[] moved(Object recorder, long[] now) {
            current.put(recorder, now);
            long[] before = previous.get(recorder); // null: new since the previous sample, so it counted from 0
            long[] delta = new long[now.length];
            for (int i = 0; i < now.length; i++) {
                // Readings of several atomics are not one instant; a count read ahead now is read again next time.
                delta[i] = Math.max(0, now[i] - (before == null ? 0 : before[i]));
            }
            return delta;
        }
    }

    /** What moved in one interval, summed over recorders. */
    private static final class Moved {
        long requests;
        long errors;
        final long[] classes = new long[4]; // 2xx .. 5xx
        final long[] histogram = new long[BUCKETS];

        void addStatus(long[] statuses) {
            requests += statuses[0];
            for (int i = 0; i < 4; i++) {
                classes[i] += statuses[i + 1];
            }
            errors += statuses[4];
        }

        void addHistogram(long[] delta) {
            for (int i = 0; i < BUCKETS; i++) {
                histogram[i] += delta[i];
            }
        }

        void add(Moved other) {
            requests += other.requests;
            errors += other.errors;
            for (int i = 0; i < 4; i++) {
                classes[i] += other.classes[i];
            }
            addHistogram(other.histogram);
        }

        /** {@link SeriesKind#TOTAL}, {@link SeriesKind#UPSTREAM} and {@link SeriesKind#SERVER} order. */
        double[] values(double seconds) {
            return new double[] {requests / seconds, errors / seconds, millis(0.5), millis(0.99)};
        }

        /** {@link SeriesKind#ROUTE} order. */
        double[] routeValues(double seconds) {
            return new double[] {requests / seconds, errors / seconds, classes[0] / seconds, classes[1] / seconds,
                    classes[2] / seconds, classes[3] / seconds, millis(0.5), millis(0.99)};
        }

        private double millis(double q) {
            return LatencyHistogram.quantile(histogram, q) * 1000; // NaN stays NaN: nothing finished
        }
    }
}
