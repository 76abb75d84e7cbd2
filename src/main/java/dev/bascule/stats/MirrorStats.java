package dev.bascule.stats;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one route's mirror did, and the two counts its copies are decided by: the route's requests so far (which
 * of them are copied) and the copies outstanding now (its {@code max_in_flight}). Lives as long as a route with
 * that label mirrors, so a reload or a health change (each a new snapshot) neither restarts the cycle of chosen
 * requests nor forgets copies still out.
 *
 * <p>Threading: recorded on any event loop, without a lock; read on any thread.
 */
public final class MirrorStats {
    /** The route's forwarded requests so far: the position of each in the cycle of chosen ones. */
    private final AtomicLong seen = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder sent = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final StatusCounts responses = new StatusCounts();

    /** The position of the next request of the route, from 0. */
    public long nextRequest() {
        return seen.getAndIncrement();
    }

    /** Takes a place for a copy; false, having changed nothing, when {@code max} are out already. */
    public boolean tryStart(int max) {
        int n;
        do {
            n = inFlight.get();
            if (n >= max) {
                return false;
            }
        } while (!inFlight.compareAndSet(n, n + 1));
        return true;
    }

    /** A copy that took a place is over (answered, failed, or never sent after all). */
    public void ended() {
        inFlight.decrementAndGet();
    }

    /** A copy was written to a server of the mirror upstream. */
    public void sent() {
        sent.increment();
    }

    /** A request chosen for a copy got none. */
    public void dropped() {
        dropped.increment();
    }

    /** The mirror answered a copy with {@code status}. */
    public void answered(int status) {
        responses.increment(status);
    }

    public int inFlight() {
        return inFlight.get();
    }

    public long sentTotal() {
        return sent.sum();
    }

    public long droppedTotal() {
        return dropped.sum();
    }

    /** The mirror's answers by status. */
    public StatusCounts responses() {
        return responses;
    }
}
