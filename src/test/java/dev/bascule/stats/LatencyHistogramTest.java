package dev.bascule.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
