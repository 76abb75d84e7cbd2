package dev.bascule.origin;

import dev.bascule.control.Protocol;
import dev.bascule.http1.OriginCodec;
import dev.bascule.tls.OriginTls;
import dev.bascule.upstream.OriginTimeouts;
import dev.bascule.upstream.Server;
import dev.bascule.upstream.ServerState;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Keep-alive connections to origin servers, one independent pool per event loop, keyed by server (its
 * long-lived {@link ServerState}) and TLS identity.
 *
 * <p>A server's {@code max_connections} caps its open connections (connecting, busy or idle) across all loops
 * through the counter in its state: a connection takes a slot when its connect starts and gives it back when its
 * channel closes, whatever the reason. A request that finds every server it may use full waits in the
 * upstream's {@link OriginQueue} ({@link #await}).
 *
 * <p>Threading: {@link #acquire} must be called on an event loop of the group the pool serves; everything it
 * touches belongs to that loop, so nothing is locked. Timeouts come with each call, from the snapshot of the
 * request that asks.
 */
public final class OriginPool implements OriginConnector {
    private final Class<? extends SocketChannel> channelType;
    private final int maxIdlePerServer;

    private final FastThreadLocal<LoopPool> loopPools = new FastThreadLocal<>() {
        @Override
        protected LoopPool initialValue() {
            return new LoopPool();
        }
    };

    /**
     * @param channelType the socket channel class of the transport the event loops run (epoll or NIO)
     * @param maxIdlePerServer idle connections kept per server and event loop; more are closed on release
     */
    public OriginPool(Class<? extends SocketChannel> channelType, int maxIdlePerServer) {
        this.channelType = channelType;
        this.maxIdlePerServer = maxIdlePerServer;
    }

    /**
     * Hands {@code listener} a connection to {@code server} on {@code loop}: an idle pooled one at once (before
     * this method returns), or a new one when its connect (and TLS handshake) completes. Exactly one of {@code
     * originConnected} and {@code originConnectFailed} is called; a failed handshake is a failed connect.
     *
     * @param tls how to speak TLS to this server; null for plain HTTP. Part of the pool key.
     * @param protocol the upstream's: {@link Protocol#HTTP1} pools whole connections here; {@link Protocol#H2} and
     *     {@link Protocol#H2C} hand out streams of the loop's {@link OriginHttp2Pool}
     * @param timeouts for a new connection: its connect and handshake, and how long it may idle in the pool
     * @param queue the upstream's queue when its servers cap their connections, told when this connection is
     *     released or closed; null when none does
     * @return false, having done nothing, when the server is at its {@code max_connections} and this loop holds
     *     no idle connection to it (another loop took the last slot since the caller looked)
     */
    @Override
    public boolean acquire(EventLoop loop, Server server, OriginTls tls, Protocol protocol, OriginTimeouts timeouts,
            OriginQueue queue, OriginListener listener) {
        LoopPool pool = loopPools.get();
        if (protocol != Protocol.HTTP1) {
            return pool.http2.acquire(loop, server, tls, timeouts, queue, listener);
        }
        OriginHttp1Connection idle = pool.poll(server.state(), tls);
        if (idle != null) {
            idle.attach(listener, queue);
            listener.originConnected(idle, true);
            return true;
        }
        if (!server.state().tryAcquireConnection(server.maxConnections())) {
            return false;
        }
        pool.connect(loop, server, tls, timeouts, queue, listener);
        return true;
    }

    /**
     * Whether {@link #acquire} would find room for {@code server} on the calling loop now: no cap, a free slot,
     * or an idle connection pooled here.
     */
    @Override
    public boolean hasRoom(Server server, OriginTls tls, Protocol protocol) {
        if (protocol != Protocol.HTTP1) {
            return loopPools.get().http2.hasRoom(server, tls);
        }
        int max = server.maxConnections();
        return max <= 0 || server.state().openConnections() < max || loopPools.get().hasIdle(server.state(), tls);
    }

    /**
     * Queues {@code waiter} on {@code loop} until a server of its upstream has room; it is then told to
     * {@linkplain OriginWaiter#proceed proceed}. The caller keeps the deadline and takes the waiter out with
     * {@link #leave} when it gives up.
     *
     * @param limit the upstream's {@code queue.size}: waiters on all loops together
     * @param first back at the head, for a waiter that was let go but lost the slot to another loop
     * @return false when the queue is full (or {@code limit} is 0): the caller answers 503
     */
    @Override
    public boolean await(EventLoop loop, OriginQueue queue, int limit, OriginWaiter waiter, boolean first) {
        LoopPool pool = loopPools.get();
        OriginWaiters here = queue.on(loop, () -> pool.closeIdle(queue));
        if (first) {
            here.addFirst(waiter);
            return true;
        }
        if (!here.add(waiter, limit)) {
            return false;
        }
        if (here.size() == 1) {
            // The first waiter here: idle connections to this upstream on other loops are slots it could use.
            // (Once requests wait, a connection released on a loop without waiters is closed, not pooled.)
            queue.waiterAdded(here);
        }
        if (waiter.canProceed()) {
            // A slot was freed on another loop just before this waiter was counted, so nobody woke us for it.
            here.wake();
        }
        return true;
    }

    /** Takes a waiter out of the queue of {@code loop}, as its client went away or it waited too long. */
    @Override
    public void leave(EventLoop loop, OriginQueue queue, OriginWaiter waiter) {
        OriginWaiters here = queue.find(loop);
        if (here != null) {
            here.remove(waiter);
        }
    }

    /** Whether requests of this upstream wait on {@code loop}: a new one must queue behind them. */
    @Override
    public boolean hasWaiters(EventLoop loop, OriginQueue queue) {
        if (queue.length() == 0) {
            return false;
        }
        OriginWaiters here = queue.find(loop);
        return here != null && here.size() > 0;
    }

    /**
     * Closes the connections pooled on each of {@code loops}, for a stop: the idle HTTP/1.1 ones, and the HTTP/2
     * ones with a GOAWAY, as an origin expects of a proxy going away. Waits up to {@code timeoutMillis} for them to
     * close. A connection still carrying a request is not pooled, and ends with its event loop.
     *
     * <p>Threading: a control thread, never one of {@code loops}.
     */
    public void closeAll(Iterable<? extends EventExecutor> loops, long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        List<ChannelFuture> closing = new CopyOnWriteArrayList<>();
        List<Future<?>> asked = new ArrayList<>();
        for (EventExecutor loop : loops) {
            if (!loop.isShuttingDown()) {
                asked.add(loop.submit(() -> loopPools.get().closeAll(closing)));
            }
        }
        for (Future<?> f : asked) {
            f.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        for (ChannelFuture f : closing) {
            f.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    /** Idle connections with this TLS identity (null: plain) to {@code server} pooled on the calling event loop. */
    public int idleOnThisLoop(Server server, OriginTls tls) {
        ArrayDeque<OriginHttp1Connection> q = loopPools.get().queues(tls, false).get(server.state());
        return q == null ? 0 : q.size();
    }

    /** The pool of one event loop. Confined to that loop. */
    final class LoopPool {
        private final Map<ServerState, ArrayDeque<OriginHttp1Connection>> idle = new HashMap<>();
        /** Idle TLS connections, by TLS identity then server; an identity goes when its last queue empties. */
        private final Map<OriginTls, Map<ServerState, ArrayDeque<OriginHttp1Connection>>> idleTls = new HashMap<>();
        /** The loop's HTTP/2 connections (upstreams with protocol h2 or h2c). */
        final OriginHttp2Pool http2 = new OriginHttp2Pool(this);
        private Bootstrap bootstrap;
        private int bootstrapTimeout = -1;

        Map<ServerState, ArrayDeque<OriginHttp1Connection>> queues(OriginTls tls, boolean create) {
            if (tls == null) {
                return idle;
            }
            Map<ServerState, ArrayDeque<OriginHttp1Connection>> m = idleTls.get(tls);
            if (m == null) {
                if (!create) {
                    return Map.of();
                }
                m = new HashMap<>();
                idleTls.put(tls, m);
            }
            return m;
        }

        OriginHttp1Connection poll(ServerState server, OriginTls tls) {
            ArrayDeque<OriginHttp1Connection> q = queues(tls, false).get(server);
            if (q == null) {
                return null;
            }
            OriginHttp1Connection c;
            // Most recently used first: it is the likeliest to be alive, and the rest can idle out.
            while ((c = q.pollLast()) != null) {
                c.markPooled(false);
                if (c.isActive()) {
                    return c;
                }
            }
            return null;
        }

        boolean offer(OriginHttp1Connection c) {
            if (!c.isActive()) {
                return false;
            }
            ArrayDeque<OriginHttp1Connection> q = queues(c.tls(), true).computeIfAbsent(c.state(), k -> new ArrayDeque<>());
            if (q.size() >= maxIdlePerServer) {
                return false;
            }
            c.markPooled(true);
            q.addLast(c);
            return true;
        }

        void remove(OriginHttp1Connection c) {
            Map<ServerState, ArrayDeque<OriginHttp1Connection>> m = queues(c.tls(), false);
            ArrayDeque<OriginHttp1Connection> q = m.get(c.state());
            if (q != null) {
                q.remove(c);
                if (q.isEmpty() && c.tls() != null) {
                    // Contexts are rebuilt on every reload: do not keep keys for those no longer in use.
                    m.remove(c.state());
                    if (m.isEmpty()) {
                        idleTls.remove(c.tls());
                    }
                }
            }
        }

        boolean hasIdle(ServerState server, OriginTls tls) {
            ArrayDeque<OriginHttp1Connection> q = queues(tls, false).get(server);
            return q != null && !q.isEmpty();
        }

        /**
         * Closes the idle connections to {@code queue}'s upstream pooled here: requests wait for that upstream on
         * other loops, and each of these holds a slot one of them could open a connection with.
         */
        void closeIdle(OriginQueue queue) {
            List<OriginHttp1Connection> closing = new ArrayList<>();
            collectIdle(idle, queue, closing);
            for (Map<ServerState, ArrayDeque<OriginHttp1Connection>> m : idleTls.values()) {
                collectIdle(m, queue, closing);
            }
            for (OriginHttp1Connection c : closing) {
                remove(c);
                c.markPooled(false);
                c.closeForWaiters();
            }
            http2.closeIdle(queue);
        }

        /** Closes every connection pooled here, adding their close futures to {@code into}. */
        void closeAll(List<ChannelFuture> into) {
            closeIdle(idle, into);
            for (Map<ServerState, ArrayDeque<OriginHttp1Connection>> m : idleTls.values()) {
                closeIdle(m, into);
            }
            idle.clear();
            idleTls.clear();
            http2.closeAll(into);
        }

        private static void closeIdle(Map<ServerState, ArrayDeque<OriginHttp1Connection>> m, List<ChannelFuture> into) {
            for (ArrayDeque<OriginHttp1Connection> q : m.values()) {
                for (OriginHttp1Connection c : q) {
                    c.markPooled(false);
                    into.add(c.channel().close());
                }
            }
        }

        private static void collectIdle(Map<ServerState, ArrayDeque<OriginHttp1Connection>> m, OriginQueue queue,
                List<OriginHttp1Connection> into) {
            for (ArrayDeque<OriginHttp1Connection> q : m.values()) {
                for (OriginHttp1Connection c : q) {
                    if (c.queue() == queue) {
                        into.add(c);
                    }
                }
            }
        }

        void connect(EventLoop loop, Server server, OriginTls tls, OriginTimeouts timeouts, OriginQueue queue,
                OriginListener listener) {
            InetSocketAddress remote = server.socketAddress();
            OriginHttp1Connection connection = new OriginHttp1Connection(this, server, tls, queue);
            if (queue != null) {
                queue.on(loop, () -> closeIdle(queue)); // so this loop can be asked to give back idle slots
            }
            if (tls == null) {
                connection.attach(listener);
            } // else: attached once the handshake succeeded, so a failed one is not also reported as a close
            long idleMillis = timeouts.idleMillis();
            int handshakeMillis = timeouts.connectMillis();
            ChannelFuture f = bootstrap(loop, timeouts.connectMillis()).handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    if (tls != null) {
                        SslHandler ssl = tls.context().newHandler(ch.alloc(), tls.peerHost(), remote.getPort());
                        ssl.setHandshakeTimeoutMillis(handshakeMillis);
                        ch.pipeline().addLast("tls", ssl);
                    }
                    ch.pipeline().addLast(
                            // reader idleness only: watching writes would cost a promise per write
                            new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS),
                            new OriginCodec(ORIGIN_DECODER),
                            connection);
                }
            }).connect(remote);
            // The slot taken by acquire goes back when the channel closes, however that happens.
            f.channel().closeFuture().addListener(closed -> connection.slotReleased());
            f.addListener((ChannelFuture done) -> {
                Channel ch = done.channel();
                if (!done.isSuccess()) {
                    ch.close();
                    connection.slotReleased(); // also when the channel never got far enough to close
                    listener.originConnectFailed(done.cause());
                } else if (tls == null) {
                    listener.originConnected(connection, false);
                } else {
                    SslHandler ssl = ch.pipeline().get(SslHandler.class);
                    if (ssl == null) { // closed and torn down already
                        listener.originConnectFailed(new SSLException("origin closed during the TLS handshake"));
                        return;
                    }
                    ssl.handshakeFuture().addListener(hs -> {
                        if (hs.isSuccess() && ch.isActive()) {
                            connection.attach(listener);
                            listener.originConnected(connection, false);
                        } else {
                            ch.close();
                            listener.originConnectFailed(hs.cause() != null ? hs.cause()
                                    : new SSLException("origin closed during the TLS handshake"));
                        }
                    });
                }
            });
        }

        Bootstrap bootstrap(EventLoop loop, int timeout) {
            if (bootstrap == null || bootstrapTimeout != timeout) {
                bootstrap = new Bootstrap()
                        .group(loop)
                        .channel(channelType)
                        .option(ChannelOption.TCP_NODELAY, true)
                        // as on the client side: room for a few body pieces of an upload before pausing the client
                        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(128 * 1024, 256 * 1024))
                        .option(ChannelOption.SO_KEEPALIVE, true)
                        // Reads grow to 256 KiB (Netty's default stops at 64 KiB) so a large response body comes in
                        // a quarter of the reads; the size adapts, so small responses keep small buffers.
                        .option(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(64, 2048, 256 * 1024))
                        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeout);
                bootstrapTimeout = timeout;
            }
            return bootstrap;
        }
    }

    /**
     * Origins are trusted more than clients but still parsed strictly (RFC 9112): CRLF line endings only,
     * Content-Length with Transfer-Encoding refused, one Content-Length, validated headers. A response that fails
     * closes its connection ({@link OriginHttp1Connection}); sizes follow nginx's buffer defaults. Public so that
     * the codec's differential test compares Netty's decoder and Bascule's under exactly these limits.
     */
    public static final HttpDecoderConfig ORIGIN_DECODER = new HttpDecoderConfig()
            .setMaxInitialLineLength(8192)
            .setMaxHeaderSize(65536)
            .setMaxChunkSize(65536)
            .setValidateHeaders(true)
            .setStrictLineParsing(true)
            .setUseRfc9112TransferEncoding(true)
            .setAllowDuplicateContentLengths(false);
}
