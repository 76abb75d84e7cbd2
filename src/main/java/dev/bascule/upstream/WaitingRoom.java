package dev.bascule.upstream;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Where the requests of one upstream wait while every server they may use is at its {@code max_connections}: how
 * many wait, across every event loop, and the data plane's own per-loop queues, attached on first use. One
 * instance serves the upstream for its whole life, carried by every snapshot that has it, so a reload neither
 * forgets nor double-counts the requests waiting (like the retry budget).
 *
 * <p>Threading: any thread; lock-free.
 */
public final class WaitingRoom {
    private final AtomicInteger length = new AtomicInteger();
    private final AtomicReference<Object> queues = new AtomicReference<>();

    /** Requests waiting now, on every event loop; for status and metrics. */
    public int length() {
        return length.get();
    }

    /** Counts one more waiting request unless {@code limit} wait already. */
    public boolean tryEnter(int limit) {
        for (;;) {
            int n = length.get();
            if (n >= limit) {
                return false;
            }
            if (length.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Counts a request back in that was let go but lost its slot: it was counted before, so no limit applies. */
    public void enterAgain() {
        length.incrementAndGet();
    }

    public void leave() {
        length.decrementAndGet();
    }

    /**
     * The data plane's queues for this room, made by {@code create} on first use (exactly one is kept if two
     * threads race).
     */
    @SuppressWarnings("unchecked")
    public <T> T queues(Function<WaitingRoom, T> create) {
        Object q = queues.get();
        if (q == null) {
            q = create.apply(this);
            if (!queues.compareAndSet(null, q)) {
                q = queues.get();
            }
        }
        return (T) q;
    }
}
