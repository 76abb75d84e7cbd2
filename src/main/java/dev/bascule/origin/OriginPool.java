package dev.bascule.origin;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive connections to origin servers, one independent pool per event loop.
 *
 * <p>Threading: {@link #acquire} must be called on an event loop of the group the pool serves; everything it
 * touches belongs to that loop, so nothing is locked. Settings are volatile and read when a connection opens.
 */
public final class OriginPool {
    private final Class<? extends SocketChannel> channelType;
    private final int maxIdlePerServer;
    private volatile int connectTimeoutMillis;
    private volatile long idleTimeoutMillis;

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
    public OriginPool(Class<? extends SocketChannel> channelType, int maxIdlePerServer,
            int connectTimeoutMillis, long idleTimeoutMillis) {
        this.channelType = channelType;
        this.maxIdlePerServer = maxIdlePerServer;
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.idleTimeoutMillis = idleTimeoutMillis;
    }

    /** Applies new timeouts to connections opened from now on. */
    public void updateTimeouts(int connectTimeoutMillis, long idleTimeoutMillis) {
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.idleTimeoutMillis = idleTimeoutMillis;
    }

    /**
     * Hands {@code listener} a connection to {@code remote} on {@code loop}: an idle pooled one at once (before
     * this method returns), or a new one when its connect completes. Exactly one of {@code originConnected} and
     * {@code originConnectFailed} is called.
     */
    public void acquire(EventLoop loop, InetSocketAddress remote, OriginListener listener) {
        LoopPool pool = loopPools.get();
        OriginConnection idle = pool.poll(remote);
        if (idle != null) {
            idle.attach(listener);
            listener.originConnected(idle, true);
            return;
        }
        pool.connect(loop, remote, listener);
    }

    /** Idle connections pooled on the calling event loop (for tests and status). */
    public int idleOnThisLoop(InetSocketAddress remote) {
        ArrayDeque<OriginConnection> q = loopPools.get().idle.get(remote);
        return q == null ? 0 : q.size();
    }

    /** The pool of one event loop. Confined to that loop. */
    final class LoopPool {
        private final Map<InetSocketAddress, ArrayDeque<OriginConnection>> idle = new HashMap<>();
        private Bootstrap bootstrap;
        private int bootstrapTimeout = -1;

        OriginConnection poll(InetSocketAddress remote) {
            ArrayDeque<OriginConnection> q = idle.get(remote);
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
            ArrayDeque<OriginConnection> q = idle.computeIfAbsent(c.remote(), k -> new ArrayDeque<>());
            if (q.size() >= maxIdlePerServer) {
                return false;
            }
            c.markPooled(true);
            q.addLast(c);
            return true;
        }

        void remove(OriginConnection c) {
            ArrayDeque<OriginConnection> q = idle.get(c.remote());
            if (q != null) {
                q.remove(c);
            }
        }

        void connect(EventLoop loop, InetSocketAddress remote, OriginListener listener) {
            OriginConnection connection = new OriginConnection(this, remote);
            connection.attach(listener);
            long idleMillis = idleTimeoutMillis;
            ChannelFuture f = bootstrap(loop).handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(
                            new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS),
                            new HttpClientCodec(ORIGIN_DECODER, false, false),
                            connection);
                }
            }).connect(remote);
            f.addListener((ChannelFuture done) -> {
                if (done.isSuccess()) {
                    listener.originConnected(connection, false);
                } else {
                    Channel ch = done.channel();
                    ch.close();
                    listener.originConnectFailed(done.cause());
                }
            });
        }

        private Bootstrap bootstrap(EventLoop loop) {
            int timeout = connectTimeoutMillis;
            if (bootstrap == null || bootstrapTimeout != timeout) {
                bootstrap = new Bootstrap()
                        .group(loop)
                        .channel(channelType)
                        .option(ChannelOption.TCP_NODELAY, true)
                        .option(ChannelOption.SO_KEEPALIVE, true)
                        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeout);
                bootstrapTimeout = timeout;
            }
            return bootstrap;
        }
    }

    /** Origins are trusted more than clients but still parsed strictly; sizes follow nginx's buffer defaults. */
    private static final HttpDecoderConfig ORIGIN_DECODER = new HttpDecoderConfig()
            .setMaxInitialLineLength(8192)
            .setMaxHeaderSize(65536)
            .setMaxChunkSize(65536)
            .setValidateHeaders(true);
}
