package dev.bascule.origin;

import dev.bascule.tls.OriginTls;
import dev.bascule.upstream.OriginTimeouts;
import dev.bascule.upstream.Server;
import dev.bascule.upstream.ServerState;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The HTTP/2 connections of one event loop, by server: a request gets a stream on the first connection to its
 * server (with its TLS identity) that takes one, and a new connection is opened only when every one there is at
 * the origin's concurrent-stream limit, or while connecting holds {@link OriginHttp2Connection#ASSUMED_MAX_STREAMS}
 * requests already. Each connection takes a slot of the server's {@code max_connections} as an HTTP/1.1 one does.
 *
 * <p>Threading: confined to its event loop, like the {@link OriginPool.LoopPool} that holds it.
 */
final class OriginHttp2Pool {
    private final OriginPool.LoopPool loopPool;
    /** Connections that take new streams (connecting or open); draining and closed ones are removed. */
    private final Map<ServerState, List<OriginHttp2Connection>> byServer = new HashMap<>();

    OriginHttp2Pool(OriginPool.LoopPool loopPool) {
        this.loopPool = loopPool;
    }

    /**
     * Gives {@code listener} a stream to {@code server}, on a connection that has room or on a new one.
     *
     * @return false, having done nothing, when every connection here is full and the server is at its {@code
     *     max_connections}
     */
    boolean acquire(EventLoop loop, Server server, OriginTls tls, OriginTimeouts timeouts, OriginQueue queue,
            OriginListener listener) {
        OriginHttp2Connection c = withRoom(server.state(), tls, true);
        if (c == null) {
            if (!server.state().tryAcquireConnection(server.maxConnections())) {
                return false;
            }
            c = new OriginHttp2Connection(this, server, tls, timeouts, queue);
            byServer.computeIfAbsent(server.state(), k -> new ArrayList<>(2)).add(c);
            if (queue != null) {
                OriginQueue q = queue;
                q.on(loop, () -> loopPool.closeIdle(q)); // so this loop can be asked to give back idle slots
            }
            c.openStream(listener, queue);
            c.connect(loopPool.bootstrap(loop, timeouts.connectMillis()));
            return true;
        }
        c.openStream(listener, queue);
        return true;
    }

    /** Whether {@link #acquire} would find room for {@code server}: no cap, a free slot, or a stream to spare. */
    boolean hasRoom(Server server, OriginTls tls) {
        int max = server.maxConnections();
        return max <= 0 || server.state().openConnections() < max || withRoom(server.state(), tls, false) != null;
    }

    /**
     * The first connection that takes another stream with {@code tls}.
     *
     * @param closeStale close idle connections with another TLS identity: their context belongs to a config
     *     replaced since (contexts are rebuilt on every reload), so nothing will ask for them again
     */
    private OriginHttp2Connection withRoom(ServerState server, OriginTls tls, boolean closeStale) {
        List<OriginHttp2Connection> list = byServer.get(server);
        if (list == null) {
            return null;
        }
        OriginHttp2Connection found = null;
        List<OriginHttp2Connection> stale = null;
        for (int i = 0; i < list.size(); i++) {
            OriginHttp2Connection c = list.get(i);
            if (c.takesStream(tls)) {
                found = c;
                break;
            }
            if (closeStale && c.isIdle() && !sameIdentity(c.tls(), tls)) {
                if (stale == null) {
                    stale = new ArrayList<>(1);
                }
                stale.add(c);
            }
        }
        if (stale != null) {
            for (OriginHttp2Connection c : stale) {
                c.closeForWaiters();
            }
        }
        return found;
    }

    private static boolean sameIdentity(OriginTls a, OriginTls b) {
        return a == null ? b == null : a.equals(b);
    }

    /** A request that waited for a stream on a connection that went away gets one elsewhere. */
    void redispatch(OriginHttp2Connection from, OriginListener listener) {
        OriginQueue queue = from.queue();
        Server server = from.server();
        if (!acquire(from.eventLoop(), server, from.tls(), from.timeouts(), queue, listener)) {
            listener.originConnectFailed(new IOException("no HTTP/2 connection to " + server.address()
                    + " could take the request: " + from.describe() + " went away"));
        }
    }

    /** Takes a connection out: it takes no more streams (draining or closed). */
    void remove(OriginHttp2Connection c) {
        ServerState state = c.server().state();
        List<OriginHttp2Connection> list = byServer.get(state);
        if (list != null && list.remove(c) && list.isEmpty()) {
            byServer.remove(state); // servers come and go with reloads: keep no key for one without connections
        }
    }

    /** Closes the idle connections to {@code queue}'s upstream: requests wait on other loops for their slots. */
    void closeIdle(OriginQueue queue) {
        List<OriginHttp2Connection> closing = null;
        for (List<OriginHttp2Connection> list : byServer.values()) {
            for (OriginHttp2Connection c : list) {
                if (c.queue() == queue && c.isIdle()) {
                    if (closing == null) {
                        closing = new ArrayList<>();
                    }
                    closing.add(c);
                }
            }
        }
        if (closing != null) {
            for (OriginHttp2Connection c : closing) {
                c.closeForWaiters();
            }
        }
    }

    /** Closes every connection here, for a stop, adding their close futures to {@code into}. */
    void closeAll(List<ChannelFuture> into) {
        List<OriginHttp2Connection> all = new ArrayList<>();
        for (List<OriginHttp2Connection> list : byServer.values()) {
            all.addAll(list);
        }
        for (OriginHttp2Connection c : all) {
            ChannelFuture closed = c.closeForStop();
            if (closed != null) {
                into.add(closed);
            }
        }
        byServer.clear();
    }
}
