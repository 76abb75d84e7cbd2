package dev.bascule.proxy;

import dev.bascule.balance.AffinityHash;
import dev.bascule.balance.PickContext;
import dev.bascule.control.Pool;
import dev.bascule.origin.OriginConnector;
import dev.bascule.origin.OriginQueue;
import dev.bascule.origin.OriginWaiter;
import dev.bascule.upstream.AffinityKey;
import dev.bascule.upstream.Cookies;
import dev.bascule.upstream.Server;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The first phase of an {@link Exchange}: choosing the server of each try. The pool's balancer picks, minus the
 * servers the request already tried and, for a pool whose servers cap their connections ({@code
 * max_connections}), minus those with no room on this event loop; when none has room, the request waits in the
 * upstream's queue until one has. Allocation-free apart from the tried list
 * growing past one server (a retry).
 *
 * <p>A base class of the exchange (under {@link OriginTry}, the try on the chosen server) rather than an object of
 * its own, so that a request still allocates one object; of the classes above it, it calls only the three methods
 * it declares abstract.
 *
 * <p>Threading: confined to the client connection's event loop, like its exchange.
 */
abstract sealed class ServerChoice implements PickContext, OriginWaiter permits OriginTry {
    private static final Server[] NONE = new Server[0];

    private final Pool pool;
    private final HttpRequest request;
    private final Downstream downstream;
    /** The first server tried, and the others in {@link #moreTried}: most requests try one, and need no array. */
    private Server firstTried;
    private Server[] moreTried = NONE;
    private int triedCount;
    private long affinityHash;
    private boolean affinityHashKnown;
    /** Set during a pick that must pass over servers at their connection cap. */
    private boolean skipFull;

    ServerChoice(Pool pool, HttpRequest request, Downstream downstream) {
        this.pool = pool;
        this.request = request;
        this.downstream = downstream;
        this.originQueue = pool.waitingRoom() == null ? null : OriginQueue.of(pool.waitingRoom());
    }

    /** Where requests wait when the pool's servers cap their connections; null (no checks at all) when none does. */
    private final OriginQueue originQueue;
    /** Waiting in {@link #originQueue} for a server with room. */
    private boolean queued;
    /** When waiting for a connection ends in 503 ({@link LazyTimer#now()} time); 0 when not waiting. */
    private long queueDeadline;

    /** The upstream's pool, as the request's snapshot has it. */
    final Pool pool() {
        return pool;
    }

    /** The request, its head as rewritten for upstream once the exchange is made. */
    final HttpRequest request() {
        return request;
    }

    /** The client side of the exchange. */
    final Downstream downstream() {
        return downstream;
    }

    /** The pool's queue, for a pool whose servers cap their connections; null otherwise. */
    final OriginQueue originQueue() {
        return originQueue;
    }

    /** Starts a try on {@code s}. */
    abstract void connectTo(Server s);

    /** Answers 503: no server can take the request. */
    abstract void respondUnavailable();

    /** Whether the exchange is over. */
    abstract boolean finished();

    /** The balancer's pick among the servers not tried yet; null when there is none. */
    final Server pick() {
        return pool.balancer().pick(this);
    }

    final boolean triedAny() {
        return triedCount > 0;
    }

    final void remember(Server s) {
        if (excludedAsTried(s)) {
            return;
        }
        if (triedCount > 0 && triedCount - 1 == moreTried.length) {
            Server[] grown = new Server[Math.max(2, moreTried.length * 2)];
            System.arraycopy(moreTried, 0, grown, 0, moreTried.length);
            moreTried = grown;
        }
        setTried(triedCount++, s);
    }

    private Server tried(int i) {
        return i == 0 ? firstTried : moreTried[i - 1];
    }

    private void setTried(int i, Server s) {
        if (i == 0) {
            firstTried = s;
        } else {
            moreTried[i - 1] = s;
        }
    }

    /** A server whose last slot went to another request was never reached: it does not count as tried. */
    final void untry(Server s) {
        for (int i = 0; i < triedCount; i++) {
            if (tried(i) == s) {
                triedCount--;
                setTried(i, tried(triedCount));
                setTried(triedCount, null);
                return;
            }
        }
    }

    /** Makes every server eligible again (a one-server pool retried on its only server). */
    final void forgetTried() {
        triedCount = 0;
    }

    // ---- servers that cap their connections; only for a pool with an origin queue ----

    /**
     * {@code s} if it has room for a connection, else the balancer's pick among the servers that have; null when
     * none has, or when requests of this upstream already wait on this loop (they go first).
     */
    final Server withRoom(Server s) {
        OriginConnector origins = downstream.origins();
        if (origins.hasWaiters(downstream.eventLoop(), originQueue())) {
            return null;
        }
        return hasRoom(s) ? s : pickWithRoom();
    }

    /** The balancer's pick among the untried servers with room; null when none has. */
    final Server pickWithRoom() {
        skipFull = true;
        try {
            return pool.balancer().pick(this);
        } finally {
            skipFull = false;
        }
    }

    /** Whether an untried server has room now; changes nothing. */
    final boolean anyWithRoom() {
        List<Server> candidates = pool.candidates();
        for (int i = 0; i < candidates.size(); i++) {
            Server c = candidates.get(i);
            if (!excludedAsTried(c) && hasRoom(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Room for a connection on this loop now. A draining server has none: a request that waited may have outlived
     * the snapshot it holds, and a server drained meanwhile must take no new request.
     */
    private boolean hasRoom(Server c) {
        return !c.state().draining() && downstream.origins().hasRoom(c, pool.originTls(c), pool.protocol());
    }

    // ---- waiting for a server with room (max_connections) ----

    /**
     * Every server this request may use is at its cap: wait in the upstream's queue, at most the queue timeout.
     * A full queue, or none, is 503 at once. A request let go that lost the slot to another loop waits again at
     * the head, with its first deadline.
     *
     * @param previous the deadline of the wait this request was let go from; 0 otherwise
     */
    final void waitForRoom(long previous) {
        if (previous != 0) {
            queueDeadline = previous;
        }
        boolean again = queueDeadline != 0;
        if (!again) {
            queueDeadline = downstream.nowNanos() + TimeUnit.MILLISECONDS.toNanos(pool.queueTimeoutMillis());
        }
        if (!downstream.origins().await(downstream.eventLoop(), originQueue, pool.queueSize(), this, again)) {
            queueDeadline = 0;
            respondUnavailable();
            return;
        }
        queued = true;
        downstream.rearmDeadline(queueDeadline);
    }

    /** A try starts: the wait, if any, is over; its deadline is returned should the try have to wait again. */
    final long takeQueueDeadline() {
        long deadline = queueDeadline;
        queueDeadline = 0;
        return deadline;
    }

    /**
     * The connection's timer fired.
     *
     * @return true when the request waits in the queue (it got 503 if it waited too long); nothing else is due
     */
    final boolean checkQueue(long now) {
        if (!queued) {
            return false;
        }
        if (now - queueDeadline < 0) {
            downstream.rearmDeadline(queueDeadline);
        } else {
            respondUnavailable(); // waited queue.timeout for a connection
        }
        return true;
    }

    /** Lets go of the place in the queue. */
    final void leaveQueue() {
        if (queued) {
            queued = false;
            downstream.origins().leave(downstream.eventLoop(), originQueue, this);
        }
    }

    @Override
    public final long waitDeadline() {
        return queueDeadline;
    }

    @Override
    public final boolean canProceed() {
        return anyWithRoom();
    }

    @Override
    public final void proceed() {
        queued = false;
        if (finished()) {
            return;
        }
        Server s = pickWithRoom();
        if (s == null) {
            waitForRoom(0);
            return;
        }
        connectTo(s);
    }

    // ---- PickContext ----

    @Override
    public final boolean excluded(Server candidate) {
        return excludedAsTried(candidate) || (skipFull && !hasRoom(candidate));
    }

    private boolean excludedAsTried(Server candidate) {
        for (int i = 0; i < triedCount; i++) {
            if (tried(i) == candidate) {
                return true;
            }
        }
        return false;
    }

    @Override
    public final long affinityHash() {
        if (!affinityHashKnown) {
            affinityHash = computeAffinityHash();
            affinityHashKnown = true;
        }
        return affinityHash;
    }

    private long computeAffinityHash() {
        AffinityKey key = pool.affinityKey();
        String value = switch (key.source()) {
            case CLIENT_IP -> null;
            case HEADER -> request.headers().get(key.name());
            case COOKIE -> Cookies.value(request.headers().get(HttpHeaderNames.COOKIE), key.name());
        };
        return value == null ? downstream.client().hash() : AffinityHash.hash64(value);
    }

    @Override
    public final long nowNanos() {
        return downstream.nowNanos();
    }
}
