package dev.bascule.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void boundsGoFromOneMillisecondToTenSecondsAtMostAQuarterApart() {
        double[] b = LatencyHistogram.boundsSeconds();

        assertThat(b[0]).isEqualTo(0.001);
        assertThat(b[b.length - 1]).isEqualTo(10.0);
        for (int i = 1; i < b.length; i++) {
            assertThat(b[i] / b[i - 1]).as("bound %d", i).isGreaterThan(1).isLessThanOrEqualTo(1.25 + 1e-12);
        }
        assertThat(LatencyHistogram.bucketCount()).isEqualTo(b.length + 1);
    }

    @Test
    void aValueFallsInTheFirstBucketWhoseBoundHoldsIt() {
        assertThat(LatencyHistogram.bucketOf(0)).isZero();
        assertThat(LatencyHistogram.bucketOf(1_000_000)).as("on the bound: le is inclusive").isZero();
        assertThat(LatencyHistogram.bucketOf(1_000_001)).isEqualTo(1);
        assertThat(LatencyHistogram.bucketOf(10_000_000_000L)).isEqualTo(LatencyHistogram.bucketCount() - 2);
        assertThat(LatencyHistogram.bucketOf(10_000_000_001L)).as("+Inf").isEqualTo(LatencyHistogram.bucketCount() - 1);
    }

    @Test
    void theBitLengthStartAgreesWithABinarySearchEverywhere() {
        List<Long> values = new ArrayList<>(List.of(0L, 1L, Long.MAX_VALUE));
        for (double bound : LatencyHistogram.boundsSeconds()) {
            long nanos = Math.round(bound * 1e9);
            values.addAll(List.of(nanos - 1, nanos, nanos + 1));
        }
        for (int bits = 1; bits < 63; bits++) {
            values.addAll(List.of((1L << bits) - 1, 1L << bits, (1L << bits) + 1));
        }
        Random random = new Random(1201);
        for (int i = 0; i < 100_000; i++) {
            values.add(random.nextLong() >>> (1 + random.nextInt(63))); // any duration, none negative
        }

        for (long v : values) {
            assertThat(LatencyHistogram.bucketOf(v)).as("%d ns", v).isEqualTo(LatencyHistogram.bucketBySearch(v));
        }
    }

    @Test
    void countsAndSumAddUp() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(2_000_000);
        h.record(2_000_000);
        h.record(500_000_000);
        h.record(-5); // a clock that stepped back counts as zero

        assertThat(h.count()).isEqualTo(4);
        assertThat(h.sumSeconds()).isCloseTo(0.504, within(1e-9));
        long[] counts = new long[LatencyHistogram.bucketCount()];
        h.copyBuckets(counts);
        assertThat(counts[0]).isEqualTo(1);
        assertThat(counts[LatencyHistogram.bucketOf(2_000_000)]).isEqualTo(2);
    }

    @Test
    void quantilesAreReadWithinTheirBucket() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < 99; i++) {
            h.record(3_000_000); // 3 ms
        }
        h.record(800_000_000); // 800 ms
        long[] counts = new long[LatencyHistogram.bucketCount()];
        h.copyBuckets(counts);

        assertThat(LatencyHistogram.quantile(counts, 0.5)).isBetween(0.003 / 1.25, 0.003 * 1.25);
        assertThat(LatencyHistogram.quantile(counts, 0.99)).isBetween(0.003 / 1.25, 0.003 * 1.25);
        assertThat(LatencyHistogram.quantile(counts, 1.0)).isBetween(0.8 / 1.25, 0.8 * 1.25);
        assertThat(LatencyHistogram.quantile(new long[counts.length], 0.5)).isNaN();
    }
}
