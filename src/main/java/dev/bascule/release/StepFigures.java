package dev.bascule.release;

import dev.bascule.stats.LatencyHistogram;
import dev.bascule.stats.ListenerStats;
import dev.bascule.stats.RouteSeries;
import dev.bascule.stats.StatusCounts;
import java.util.Arrays;

/**
 * What one side of a split did: requests answered to clients, how many were 5xx, and their durations as
 * histogram bucket counts ({@link LatencyHistogram}). Read as running totals from a route's series and subtracted
 * to get a step's figures; figures of several instances add up ({@link #plus}), which is how a fleet judges a
 * rollout as a whole.
 *
 * <p>Immutable.
 */
public record StepFigures(long requests, long errors, long[] buckets) {
    public static final StepFigures NONE = new StepFigures(0, 0, new long[LatencyHistogram.bucketCount()]);

    public StepFigures {
        buckets = buckets.clone();
    }

    /** The running totals of {@code series} over {@code listeners} now. */
    public static StepFigures totals(RouteSeries series, Iterable<ListenerStats> listeners) {
        long requests = 0;
        long errors = 0;
        for (ListenerStats l : listeners) {
            StatusCounts c = series.requests(l);
            requests += c.total();
            errors += c.sum(500, 600);
        }
        long[] buckets = new long[LatencyHistogram.bucketCount()];
        series.stats().duration().copyBuckets(buckets);
        return new StepFigures(requests, errors, buckets);
    }

    /** These totals less {@code earlier}: what happened in between. */
    public StepFigures minus(StepFigures earlier) {
        long[] b = new long[buckets.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = Math.max(0, buckets[i] - earlier.buckets[i]);
        }
        return new StepFigures(Math.max(0, requests - earlier.requests), Math.max(0, errors - earlier.errors), b);
    }

    public StepFigures plus(StepFigures other) {
        long[] b = new long[buckets.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = buckets[i] + other.buckets[i];
        }
        return new StepFigures(requests + other.requests, errors + other.errors, b);
    }

    /** The fraction of requests answered 5xx; 0 without requests. */
    public double errorRate() {
        return requests == 0 ? 0 : (double) errors / requests;
    }

    /** The 99th percentile duration in seconds; NaN without requests. */
    public double p99() {
        return LatencyHistogram.quantile(buckets, 0.99);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StepFigures f && f.requests == requests && f.errors == errors
                && Arrays.equals(f.buckets, buckets);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(requests) * 31 + Long.hashCode(errors) * 17 + Arrays.hashCode(buckets);
    }

    @Override
    public String toString() {
        return "StepFigures[requests=" + requests + ", errors=" + errors + ", p99=" + p99() + "]";
    }
}
