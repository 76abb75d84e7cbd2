package dev.bascule.accesslog;

import dev.bascule.stats.ExchangeRecord;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded ring of preallocated {@link Entry} slots, many producers (the event loops) and one consumer (the
 * writer thread), in the manner of the LMAX Disruptor's multi-producer sequencer: a producer claims the next
 * sequence with a compare-and-set, copies the record into that slot and publishes it; the consumer takes slots in
 * sequence order once published and hands each back by advancing {@code consumed}. Offering allocates nothing and
 * never waits: when every slot is taken the line is refused, and the caller counts it dropped.
 *
 * <p>Retiring sets the top bit of {@code claimed} in the same atomic word producers claim with, so a producer
 * either claimed before the retirement (and the consumer waits for its slot) or sees the ring retired; no line
 * can be left behind in a ring nobody reads.
 *
 * <p>Threading: {@link #offer} from any thread, many at once; {@link #peek}, {@link #release} and {@link
 * #drained} from the one consumer thread; {@link #retire} from any thread.
 */
final class RecordRing {
    static final int TAKEN = 0;
    static final int FULL = 1;
    static final int RETIRED = 2;

    private static final long RETIRED_BIT = Long.MIN_VALUE;
    private static final VarHandle CONSUMED;

    static {
        try {
            CONSUMED = MethodHandles.lookup().findVarHandle(RecordRing.class, "consumed", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Entry[] entries;
    private final int mask;
    /** Sequences claimed so far, plus {@link #RETIRED_BIT} once retired; producers and {@link #retire}. */
    private final AtomicLong claimed = new AtomicLong();
    /** Sequences handed back by the consumer; written by the consumer only (release), read by producers. */
    @SuppressWarnings("unused") // through CONSUMED
    private long consumed;
    /**
     * A sequence below which a slot is surely free: {@code consumed} plus the capacity, as a producer last read it.
     * Producers read {@code consumed}, which the consumer writes for every slot, only when they reach this, so
     * they do not pull its cache line from the consumer's core on every offer (as JCTools' {@code producerLimit}).
     */
    private volatile long producerLimit;

    /** @param capacity slots, a power of two */
    RecordRing(int capacity) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two, found " + capacity);
        }
        entries = new Entry[capacity];
        for (int i = 0; i < capacity; i++) {
            entries[i] = new Entry();
        }
        mask = capacity - 1;
        producerLimit = capacity;
    }

    int capacity() {
        return entries.length;
    }

    /** Copies {@code record} into the next slot: {@link #TAKEN}, or {@link #FULL} or {@link #RETIRED} (not taken). */
    int offer(ExchangeRecord record) {
        long seq;
        do {
            seq = claimed.get();
            if (seq < 0) {
                return RETIRED;
            }
            if (seq >= producerLimit) {
                long limit = (long) CONSUMED.getAcquire(this) + entries.length;
                if (seq >= limit) {
                    return FULL;
                }
                producerLimit = limit; // a racing producer may store an older limit: it is only re-read sooner
            }
        } while (!claimed.compareAndSet(seq, seq + 1));
        Entry e = entries[(int) seq & mask];
        e.copy(record);
        e.publish(seq);
        return TAKEN;
    }

    /** The next slot in sequence when it is published, else null; consumer only. */
    Entry peek() {
        long next = (long) CONSUMED.getOpaque(this);
        Entry e = entries[(int) next & mask];
        return e.isPublished(next) ? e : null;
    }

    /** Hands the slot {@link #peek} returned back to the producers; consumer only. */
    void release(Entry e) {
        e.clear();
        CONSUMED.setRelease(this, (long) CONSUMED.getOpaque(this) + 1);
    }

    /** From now on {@link #offer} refuses with {@link #RETIRED}; idempotent. */
    void retire() {
        claimed.getAndUpdate(c -> c | RETIRED_BIT);
    }

    boolean retired() {
        return claimed.get() < 0;
    }

    /** Retired, and every slot claimed before that consumed; consumer only. */
    boolean drained() {
        long c = claimed.get();
        return c < 0 && (c & ~RETIRED_BIT) == (long) CONSUMED.getOpaque(this);
    }
}
