package dev.bascule.origin;

import io.netty.util.concurrent.EventExecutor;
import dev.bascule.upstream.WaitingRoom;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where an upstream's requests wait when every server they may use is at its {@code max_connections}: one
 * {@link OriginWaiters} per event loop (a request never changes thread). The total across loops, which {@code
 * queue.size} caps, is kept by the upstream's {@link WaitingRoom}, which the snapshot carries across reloads;
 * this is the data plane's side of it, attached to the room on first use.
 *
 * <p>Cross-loop hand-off without locks: a connection released or closed on a loop serves that loop's waiters
 * first; with none there (or none that can use it), or when another loop's first waiter has waited clearly
 * longer ({@link #HAND_OFF_LAG_NANOS}), it is closed rather than pooled, and the loop with waiters is woken to
 * open one with the freed slot.
 *
 * <p>Threading: any thread. The length is atomic; the loops' queues are registered with compare-and-set into a
 * copy-on-write array (once per loop) and each is confined to its loop apart from its size and wake-up.
 */
public final class OriginQueue {
    private static final OriginWaiters[] NONE = new OriginWaiters[0];
    /**
     * How much sooner the first waiter of another loop must give up than this loop's first waiter before a
     * connection released here is closed so that loop can open one, rather than handed to a waiter here. Without
     * it a loop holding every slot would serve its own waiters forever while another loop's time out; with it the
     * slots follow the waiting requests, at the price of a reconnect each time one moves.
     */
    static final long HAND_OFF_LAG_NANOS = 100_000_000L;

    private final WaitingRoom room;
    private final AtomicReference<OriginWaiters[]> loops = new AtomicReference<>(NONE);
    /** Where the next search for a loop to wake starts, so loops share the freed slots. */
    private final AtomicInteger nextToWake = new AtomicInteger();

    private OriginQueue(WaitingRoom room) {
        this.room = room;
    }

    /** The queues of {@code room}, made on first use. */
    public static OriginQueue of(WaitingRoom room) {
        return room.queues(OriginQueue::new);
    }

    /** Requests waiting now, on every loop. */
    public int length() {
        return room.length();
    }

    boolean tryEnter(int limit) {
        return room.tryEnter(limit);
    }

    void enterAgain() {
        room.enterAgain();
    }

    void leave() {
        room.leave();
    }

    /** The waiters of {@code loop}, or null when it has none registered. */
    OriginWaiters find(EventExecutor loop) {
        for (OriginWaiters w : loops.get()) {
            if (w.loop() == loop) {
                return w;
            }
        }
        return null;
    }

    /**
     * The waiters of {@code loop}, registered on first use.
     *
     * @param closeIdle closes the upstream's idle connections pooled on {@code loop}
     */
    OriginWaiters on(EventExecutor loop, Runnable closeIdle) {
        for (;;) {
            OriginWaiters[] current = loops.get();
            for (OriginWaiters w : current) {
                if (w.loop() == loop) {
                    return w;
                }
            }
            OriginWaiters created = new OriginWaiters(this, loop, closeIdle);
            OriginWaiters[] grown = Arrays.copyOf(current, current.length + 1);
            grown[current.length] = created;
            if (loops.compareAndSet(current, grown)) {
                return created;
            }
        }
    }

    /**
     * The first request started waiting on {@code from}'s loop: every other loop looks at its waiters and closes
     * its idle connections to this upstream, since each holds a slot that the new waiter could open a connection
     * with.
     */
    void waiterAdded(OriginWaiters from) {
        for (OriginWaiters w : loops.get()) {
            if (w != from) {
                w.wake();
            }
        }
    }

    /**
     * A connection to one of this upstream's servers closed on {@code loop} and gave back its slot: a waiter
     * there goes first; failing that, another loop with waiters is woken to use it.
     */
    void slotFreed(EventExecutor loop) {
        if (room.length() == 0) {
            return;
        }
        OriginWaiters here = find(loop);
        if (here != null && here.size() > 0 && here.serve() > 0) {
            return;
        }
        wakeAnother(here);
    }

    /**
     * The loop, other than {@code self}, whose first waiter gives up soonest, if that is more than
     * {@link #HAND_OFF_LAG_NANOS} before {@code self}'s first (any loop with waiters when {@code self} has none);
     * null when there is none.
     */
    OriginWaiters waitingLonger(OriginWaiters self) {
        long mine = self == null ? Long.MAX_VALUE : self.headDeadline();
        OriginWaiters best = null;
        long bestDeadline = mine;
        for (OriginWaiters w : loops.get()) {
            if (w == self || w.size() == 0) {
                continue;
            }
            long d = w.headDeadline();
            if ((best == null || d - bestDeadline < 0) && (mine == Long.MAX_VALUE || mine - d > HAND_OFF_LAG_NANOS)) {
                best = w;
                bestDeadline = d;
            }
        }
        return best;
    }

    /** Wakes one loop other than {@code self} that has waiters, taking turns between loops. */
    private void wakeAnother(OriginWaiters self) {
        OriginWaiters[] all = loops.get();
        int n = all.length;
        if (n == 0) {
            return;
        }
        int start = Math.floorMod(nextToWake.getAndIncrement(), n);
        for (int k = 0; k < n; k++) {
            OriginWaiters w = all[(start + k) % n];
            if (w != self && w.size() > 0) {
                w.wake();
                return;
            }
        }
    }
}
