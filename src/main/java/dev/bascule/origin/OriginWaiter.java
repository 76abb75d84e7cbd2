package dev.bascule.origin;

/**
 * A request waiting in its upstream's {@link OriginQueue} because every server it may use is at its
 * {@code max_connections}. When a connection or a connection slot frees up, the loop's {@link OriginWaiters} ask
 * the waiters in arrival order whether they can go, and tell the first that can to go.
 *
 * <p>Threading: called only on the event loop the request waits on.
 */
public interface OriginWaiter {

    /**
     * Whether a server this request may use has room on this loop now: an idle pooled connection, or fewer open
     * connections than its cap. Must not change any state: the queue may ask again.
     */
    boolean canProceed();

    /**
     * The request has left the queue and should ask the pool for a connection now. If it finds no room after
     * all (another loop took the slot in between), it waits again at the head of the queue
     * ({@link OriginPool#await} with {@code first}).
     */
    void proceed();

    /**
     * When this request gives up waiting, in the time of the event loops' ticker (comparable across loops). The
     * queue serves first, across loops, the requests closest to giving up.
     */
    long waitDeadline();
}
