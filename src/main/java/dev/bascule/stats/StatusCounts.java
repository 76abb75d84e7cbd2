package dev.bascule.stats;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.ObjIntConsumer;

/**
 * Counts by HTTP status code, lock-free and allocation-free: a small open-addressed table of the codes seen,
 * claimed with a compare-and-set the first time a code appears. A series rarely sees more than a dozen codes;
 * should more than {@link #CAPACITY} distinct ones arrive, the rest are counted under {@link #OTHER}.
 *
 * <p>Threading: {@link #increment} from any thread, many at once; {@link #forEach} from any thread sees every
 * count at least as of when it began reading it.
 */
public final class StatusCounts {
    /** The code reported for counts that found no free slot. */
    public static final int OTHER = 0;
    static final int CAPACITY = 32;

    private final AtomicIntegerArray codes = new AtomicIntegerArray(CAPACITY + 1);
    private final AtomicLongArray counts = new AtomicLongArray(CAPACITY + 1);

    public void increment(int code) {
        add(code, 1);
    }

    public void add(int code, long n) {
        int start = (code * 31) & (CAPACITY - 1);
        for (int probe = 0; probe < CAPACITY; probe++) {
            int i = (start + probe) & (CAPACITY - 1);
            int held = codes.get(i);
            if (held == code || held == 0 && (codes.compareAndSet(i, 0, code) || codes.get(i) == code)) {
                counts.addAndGet(i, n);
                return;
            }
        }
        counts.addAndGet(CAPACITY, n);
    }

    /** The count of {@code code} now. */
    public long get(int code) {
        for (int i = 0; i < CAPACITY; i++) {
            if (codes.get(i) == code) {
                return counts.get(i);
            }
        }
        return 0;
    }

    /** Every code seen with its count ({@link #OTHER} last, when used); in no particular order. */
    public void forEach(ObjIntConsumer<Long> each) {
        for (int i = 0; i < CAPACITY; i++) {
            int code = codes.get(i);
            if (code != 0) {
                each.accept(counts.get(i), code);
            }
        }
        long other = counts.get(CAPACITY);
        if (other != 0) {
            each.accept(other, OTHER);
        }
    }

    /** Counts of codes in {@code [from, to)}, such as 500..600 for server errors. */
    public long sum(int from, int to) {
        long total = 0;
        for (int i = 0; i < CAPACITY; i++) {
            int code = codes.get(i);
            if (code >= from && code < to) {
                total += counts.get(i);
            }
        }
        return total;
    }

    public long total() {
        long total = counts.get(CAPACITY);
        for (int i = 0; i < CAPACITY; i++) {
            total += counts.get(i);
        }
        return total;
    }
}
