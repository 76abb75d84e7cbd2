package dev.bascule.origin;

import dev.bascule.tls.OriginTls;
import dev.bascule.upstream.OriginTimeouts;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Keep-alive connections to origin servers, one independent pool per event loop.
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
     * Hands {@code listener} a connection to {@code remote} on {@code loop}: an idle pooled one at once (before
     * this method returns), or a new one when its connect (and TLS handshake) completes. Exactly one of {@code
     * originConnected} and {@code originConnectFailed} is called; a failed handshake is a failed connect.
     *
     * @param tls how to speak TLS to this server; null for plain HTTP. Part of the pool key.
     * @param timeouts for a new connection: its connect and handshake, and how long it may idle in the pool
     */
    @Override
    public void acquire(EventLoop loop, InetSocketAddress remote, OriginTls tls, OriginTimeouts timeouts,
            OriginListener listener) {
        LoopPool pool = loopPools.get();
        OriginConnection idle = pool.poll(remote, tls);
        if (idle != null) {
            idle.attach(listener);
            listener.originConnected(idle, true);
            return;
        }
        pool.connect(loop, remote, tls, timeouts, listener);
    }

    /** The pool of one event loop. Confined to that loop. */
    final class LoopPool {
        private final Map<InetSocketAddress, ArrayDeque<OriginConnection>> idle = new HashMap<>();
        /** Idle TLS connections, by TLS identity then address; an identity goes when its last queue empties. */
        private final Map<OriginTls, Map<InetSocketAddress, ArrayDeque<OriginConnection>>> idleTls = new HashMap<>();
        private Bootstrap bootstrap;
        private int bootstrapTimeout = -1;

        Map<InetSocketAddress, ArrayDeque<OriginConnection>> queues(OriginTls tls, boolean create) {
            if (tls == null) {
                return idle;
            }
            Map<InetSocketAddress, ArrayDeque<OriginConnection>> m = idleTls.get(tls);
            if (m == null) {
                if (!create) {
                    return Map.of();
                }
                m = new HashMap<>();
                idleTls.put(tls, m);
            }
            return m;
        }

        OriginConnection poll(InetSocketAddress remote, OriginTls tls) {
            ArrayDeque<OriginConnection> q = queues(tls, false).get(remote);
            if (q == null) {
                return null;
            }
            OriginConnection c;
            // Most recently used first: it is the likeliest to be alive, and the rest can idle out.
            while ((c = q.pollLast()) != null) {
                c.markPooled(false);
                if (c.isActive()) {
                    return c;
                }
            }
            return null;
        }

        boolean offer(OriginConnection c) {
            if (!c.isActive()) {
                return false;
            }
            ArrayDeque<OriginConnection> q = queues(c.tls(), true).computeIfAbsent(c.remote(), k -> new ArrayDeque<>());
            if (q.size() >= maxIdlePerServer) {
                return false;
            }
            c.markPooled(true);
            q.addLast(c);
            return true;
        }

        void remove(OriginConnection c) {
            Map<InetSocketAddress, ArrayDeque<OriginConnection>> m = queues(c.tls(), false);
            ArrayDeque<OriginConnection> q = m.get(c.remote());
            if (q != null) {
                q.remove(c);
                if (q.isEmpty() && c.tls() != null) {
                    // Contexts are rebuilt on every reload: do not keep keys for those no longer in use.
                    m.remove(c.remote());
                    if (m.isEmpty()) {
                        idleTls.remove(c.tls());
                    }
                }
            }
        }

        void connect(EventLoop loop, InetSocketAddress remote, OriginTls tls, OriginTimeouts timeouts,
                OriginListener listener) {
            OriginConnection connection = new OriginConnection(this, remote, tls);
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
                            new HttpClientCodec(ORIGIN_DECODER, false, false),
                            connection);
                }
            }).connect(remote);
            f.addListener((ChannelFuture done) -> {
                Channel ch = done.channel();
                if (!done.isSuccess()) {
                    ch.close();
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

        private Bootstrap bootstrap(EventLoop loop, int timeout) {
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
     * closes its connection ({@link OriginConnection}); sizes follow nginx's buffer defaults.
     */
    private static final HttpDecoderConfig ORIGIN_DECODER = new HttpDecoderConfig()
            .setMaxInitialLineLength(8192)
            .setMaxHeaderSize(65536)
            .setMaxChunkSize(65536)
            .setValidateHeaders(true)
            .setStrictLineParsing(true)
            .setUseRfc9112TransferEncoding(true)
            .setAllowDuplicateContentLengths(false);
}
