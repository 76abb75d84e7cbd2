package dev.bascule.stats;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Finding a duration's bucket in {@link LatencyHistogram}, which every proxied request does twice (its route's
 * histogram and its server's): from the duration's bit length ({@link LatencyHistogram#bucketOf}) against a
 * binary search over all the bounds. The durations are a proxy's mix: most under 1 ms, some of a few milliseconds,
 * a few slow ones, in an order the branch predictor cannot learn.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LatencyBucketBench {
    private static final int MASK = 4095;
    private final long[] durations = new long[MASK + 1];
    private int next;

    @Setup
    public void setUp() {
        Random random = new Random(1201);
        for (int i = 0; i < durations.length; i++) {
            int kind = random.nextInt(100);
            long micros = kind < 90 ? 100 + random.nextInt(900) : kind < 99 ? 1_000 + random.nextInt(9_000)
                    : 10_000 + random.nextInt(990_000);
            durations[i] = micros * 1_000 + random.nextInt(1_000);
        }
    }

    @Benchmark
    public int fromBitLength() {
        return LatencyHistogram.bucketOf(durations[next++ & MASK]);
    }

    @Benchmark
    public int binarySearch() {
        return LatencyHistogram.bucketBySearch(durations[next++ & MASK]);
    }
}
