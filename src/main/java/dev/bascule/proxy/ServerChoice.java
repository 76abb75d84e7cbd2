package dev.bascule.proxy;

import dev.bascule.balance.AffinityHash;
import dev.bascule.balance.PickContext;
import dev.bascule.control.Pool;
import dev.bascule.origin.OriginConnector;
import dev.bascule.origin.OriginQueue;
import dev.bascule.upstream.AffinityKey;
import dev.bascule.upstream.Server;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;

/**
 * The first phase of an {@link Exchange}: choosing the server of each try. The pool's balancer picks, minus the
 * servers the request already tried and, for a pool whose servers cap their connections ({@code
 * max_connections}), minus those with no room on this event loop. Allocation-free apart from the tried list
 * growing past two servers.
 *
 * <p>A base class of the exchange rather than an object of its own, so that a request still allocates one
 * object; it calls nothing of the exchange.
 *
 * <p>Threading: confined to the client connection's event loop, like its exchange.
 */
abstract sealed class ServerChoice implements PickContext permits Exchange {
    private static final Server[] NONE = new Server[0];

    private final Pool pool;
    private final HttpRequest request;
    private final Downstream downstream;
    private final EventLoop loop;
    private Server[] tried = NONE;
    private int triedCount;
    private long affinityHash;
    private boolean affinityHashKnown;
    /** Set during a pick that must pass over servers at their connection cap. */
    private boolean skipFull;

    ServerChoice(Pool pool, HttpRequest request, Downstream downstream) {
        this.pool = pool;
        this.request = request;
        this.downstream = downstream;
        this.loop = downstream.eventLoop();
    }

    /** The pool's queue, for a pool whose servers cap their connections; null otherwise. */
    abstract OriginQueue originQueue();

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
        if (triedCount == tried.length) {
            Server[] grown = new Server[Math.max(2, tried.length * 2)];
            System.arraycopy(tried, 0, grown, 0, triedCount);
            tried = grown;
        }
        tried[triedCount++] = s;
    }

    /** A server whose last slot went to another request was never reached: it does not count as tried. */
    final void untry(Server s) {
        for (int i = 0; i < triedCount; i++) {
            if (tried[i] == s) {
                tried[i] = tried[--triedCount];
                tried[triedCount] = null;
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
        if (origins.hasWaiters(loop, originQueue())) {
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

    // ---- PickContext ----

    @Override
    public final boolean excluded(Server candidate) {
        return excludedAsTried(candidate) || (skipFull && !hasRoom(candidate));
    }

    private boolean excludedAsTried(Server candidate) {
        for (int i = 0; i < triedCount; i++) {
            if (tried[i] == candidate) {
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
