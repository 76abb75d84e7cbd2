package dev.bascule.stats;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A latency histogram with fixed buckets: upper bounds from 1 ms growing 1.25x a step up to 10 s, then +Inf, so
 * a quantile read from it is off by at most a quarter. Lock-free and allocation-free to record.
 *
 * <p>Threading: {@link #record} from any thread, many at once; reads from any thread. A reader may see a
 * recording's bucket before its sum; counts never go backwards.
 */
public final class LatencyHistogram {
    /** Upper bounds in seconds, ascending; the +Inf bucket is not listed. */
    private static final double[] BOUNDS_SECONDS = bounds();
    private static final long[] BOUNDS_NANOS = new long[BOUNDS_SECONDS.length];

    /** By a duration's bit length (0 to 63), the bucket of the smallest duration of that length. */
    private static final byte[] FIRST_BUCKET_BY_BITS = new byte[64];

    static {
        for (int i = 0; i < BOUNDS_SECONDS.length; i++) {
            BOUNDS_NANOS[i] = Math.round(BOUNDS_SECONDS[i] * 1e9);
        }
        for (int bits = 0; bits < 64; bits++) {
            FIRST_BUCKET_BY_BITS[bits] = (byte) bucketBySearch(bits == 0 ? 0 : 1L << (bits - 1));
        }
    }

    private final AtomicLongArray buckets = new AtomicLongArray(BOUNDS_SECONDS.length + 1);
    private final AtomicLong sumNanos = new AtomicLong();

    private static double[] bounds() {
        double[] b = new double[43];
        double v = 0.001;
        int n = 0;
        while (v < 10) {
            b[n++] = v;
            v *= 1.25;
        }
        b[n++] = 10;
        return java.util.Arrays.copyOf(b, n);
    }

    /** Upper bounds in seconds of the finite buckets, ascending (a copy). */
    public static double[] boundsSeconds() {
        return BOUNDS_SECONDS.clone();
    }

    public static int bucketCount() {
        return BOUNDS_SECONDS.length + 1;
    }

    public void record(long nanos) {
        if (nanos < 0) {
            nanos = 0;
        }
        buckets.incrementAndGet(bucketOf(nanos));
        sumNanos.addAndGet(nanos);
    }

    /**
     * The bucket of {@code nanos}: the first whose bound is not below it. The bounds grow 1.25x a step, so the
     * bucket of a duration's bit length is a few steps at most from the right one; starting there, most durations
     * (under 1 ms, the first bucket) take one comparison, where a binary search over all the bounds took six
     * branches the processor could not predict, on every request.
     */
    static int bucketOf(long nanos) {
        int i = FIRST_BUCKET_BY_BITS[64 - Long.numberOfLeadingZeros(nanos)];
        while (i < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[i]) {
            i++;
        }
        return i;
    }

    /** The bucket of {@code nanos} by a binary search over the bounds; what {@link #bucketOf} must agree with. */
    static int bucketBySearch(long nanos) {
        int lo = 0;
        int hi = BOUNDS_NANOS.length; // the +Inf bucket
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (nanos <= BOUNDS_NANOS[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** Count in bucket {@code i} alone (not cumulative); the last index is the +Inf bucket. */
    public long bucket(int i) {
        return buckets.get(i);
    }

    /** Copies every bucket's count (not cumulative) into {@code into}, which has {@link #bucketCount()} slots. */
    public void copyBuckets(long[] into) {
        for (int i = 0; i < into.length; i++) {
            into[i] = buckets.get(i);
        }
    }

    public long count() {
        long n = 0;
        for (int i = 0; i < buckets.length(); i++) {
            n += buckets.get(i);
        }
        return n;
    }

    public double sumSeconds() {
        return sumNanos.get() / 1e9;
    }

    /**
     * The {@code q} quantile in seconds of a distribution given as per-bucket counts (such as the difference
     * of two copies), interpolated within its bucket; NaN when there are no counts. Past the last bound the
     * answer is that bound.
     */
    public static double quantile(long[] counts, double q) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return Double.NaN;
        }
        double rank = q * total;
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == 0) {
                continue;
            }
            if (seen + counts[i] >= rank) {
                if (i >= BOUNDS_SECONDS.length) {
                    return BOUNDS_SECONDS[BOUNDS_SECONDS.length - 1];
                }
                double lower = i == 0 ? 0 : BOUNDS_SECONDS[i - 1];
                double upper = BOUNDS_SECONDS[i];
                return lower + (upper - lower) * ((rank - seen) / counts[i]);
            }
            seen += counts[i];
        }
        return BOUNDS_SECONDS[BOUNDS_SECONDS.length - 1];
    }
}
