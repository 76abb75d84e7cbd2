package dev.bascule.origin;

import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The requests of one upstream waiting on one event loop for a connection, first in first out. Waiters go when
 * a connection of the upstream is released or closed on this loop ({@link #serve}), or when another loop wakes
 * this one ({@link #wake}) because it freed a slot or because a request started waiting there.
 *
 * <p>Threading: the queue itself is confined to {@link #loop}; {@link #size()} and {@link #wake()} may be called
 * from any thread (the size is volatile, the wake-up flag atomic, and the wake-up runs on the loop).
 */
final class OriginWaiters {
    /**
     * Waiters asked per search, from the head. Those behind the head nearly always want the same servers, so
     * when the head cannot go the rest rarely can; the bound keeps a long queue from being scanned in full on
     * every freed slot (a waiter that has tried the only free server lets up to this many pass).
     */
    static final int SCAN_LIMIT = 32;

    private final OriginQueue queue;
    private final EventExecutor loop;
    /** Closes the idle connections to this upstream pooled on this loop; runs on the loop. */
    private final Runnable closeIdle;
    private final ArrayDeque<OriginWaiter> waiting = new ArrayDeque<>();
    /** {@code waiting.size()}, for other loops; written by this loop only. */
    private volatile int size;
    /** {@link OriginWaiter#waitDeadline()} of the first waiter, for other loops; MAX_VALUE when none waits. */
    private volatile long headDeadline = Long.MAX_VALUE;
    /** A wake-up task is scheduled on this loop and has not started yet; many wake-ups share it. */
    private final AtomicBoolean wakeScheduled = new AtomicBoolean();
    private final Runnable wokenTask = this::woken;
    private boolean serving;
    /** A waiter went back to the head while being served: there was no room after all. */
    private boolean requeued;

    OriginWaiters(OriginQueue queue, EventExecutor loop, Runnable closeIdle) {
        this.queue = queue;
        this.loop = loop;
        this.closeIdle = closeIdle;
    }

    EventExecutor loop() {
        return loop;
    }

    /** Waiting requests on this loop; any thread. */
    int size() {
        return size;
    }

    /** When the first waiter here gives up; {@link Long#MAX_VALUE} when none waits. Any thread. */
    long headDeadline() {
        return headDeadline;
    }

    private void changed() {
        OriginWaiter head = waiting.peekFirst();
        size = waiting.size();
        headDeadline = head == null ? Long.MAX_VALUE : head.waitDeadline();
    }

    /**
     * Adds {@code waiter} at the tail, if the upstream's queue (all loops together) holds fewer than
     * {@code limit}.
     *
     * @return false when the queue is full: the caller answers 503
     */
    boolean add(OriginWaiter waiter, int limit) {
        if (!queue.tryEnter(limit)) {
            return false;
        }
        waiting.addLast(waiter);
        changed();
        return true;
    }

    /**
     * Puts back at the head a waiter that was just let go but found no room (another loop took the slot), so it
     * keeps its place; the limit does not apply, the waiter held a place a moment ago.
     */
    void addFirst(OriginWaiter waiter) {
        queue.enterAgain();
        waiting.addFirst(waiter);
        changed();
        requeued = true;
    }

    /**
     * Takes {@code waiter} out (its client went away, or it waited too long).
     *
     * @return false when it was not waiting here
     */
    boolean remove(OriginWaiter waiter) {
        if (!waiting.remove(waiter)) {
            return false;
        }
        changed();
        queue.leave();
        return true;
    }

    /**
     * Lets waiters go, oldest first, while one of them can: each that goes takes an idle connection or a slot,
     * so this ends when the room is used up. A waiter that cannot use what is free (every server it may still
     * try is full) lets the ones behind it pass.
     *
     * @return how many went
     */
    int serve() {
        if (serving) {
            return 0; // called back from a waiter that is going: the loop below looks again anyway
        }
        serving = true;
        requeued = false;
        int went = 0;
        try {
            OriginWaiter next;
            while (!requeued && (next = takeFirstReady()) != null) {
                went++;
                next.proceed();
            }
        } finally {
            serving = false;
        }
        return went;
    }

    private OriginWaiter takeFirstReady() {
        int asked = 0;
        for (Iterator<OriginWaiter> it = waiting.iterator(); it.hasNext() && asked++ < SCAN_LIMIT; ) {
            OriginWaiter w = it.next();
            if (w.canProceed()) {
                it.remove();
                changed();
                queue.leave();
                return w;
            }
        }
        return null;
    }

    /**
     * Has this loop look at its waiters soon, from any thread: one task however many wake-ups arrive before it
     * runs. The task also closes this loop's idle connections to the upstream while requests wait on other
     * loops, as each of those holds a slot that a waiter elsewhere could open a connection with.
     */
    void wake() {
        if (wakeScheduled.compareAndSet(false, true)) {
            loop.execute(wokenTask);
        }
    }

    private void woken() {
        wakeScheduled.set(false);
        serve();
        if (queue.length() > size) {
            closeIdle.run();
        }
    }
}
