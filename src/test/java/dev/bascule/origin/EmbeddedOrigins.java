package dev.bascule.origin;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.bascule.control.Protocol;
import dev.bascule.tls.OriginTls;
import dev.bascule.upstream.Server;
import dev.bascule.upstream.OriginTimeouts;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * An {@link OriginConnector} whose connections are {@link EmbeddedChannel}s with the pipeline {@link OriginPool}
 * builds (idle timer, strict client codec, {@link OriginHttp1Connection}), given back to a real per-loop pool, so the
 * client side can be driven end to end without a socket. A test plays each origin through its {@link Origin}:
 * reads the bytes the proxy sent, answers with raw bytes, closes.
 *
 * <p>As with {@link OriginPool}, a pooled connection is handed over before {@code acquire} returns, and a new one
 * later, from a task on the client's event loop (a real connect takes at least a turn of the loop); an address
 * marked {@link #refuse refused} fails its connect that way instead. Whatever the origin side does ({@link
 * Origin#send}, {@link Origin#close}) runs the client loop's tasks after it, as the loop would.
 *
 * <p>Threading: the test thread only; every embedded channel runs its tasks on the caller, and all of them
 * share the client channel's ticker so that time moves for everyone at once.
 */
public final class EmbeddedOrigins implements OriginConnector {
    /** As strict as OriginPool's decoder (RFC 9112): CRLF only, validated headers, no CL with TE. */
    private static final HttpDecoderConfig STRICT = new HttpDecoderConfig()
            .setValidateHeaders(true)
            .setStrictLineParsing(true)
            .setUseRfc9112TransferEncoding(true)
            .setAllowDuplicateContentLengths(false);

    private final EmbeddedChannel client;
    private final OriginPool.LoopPool pool;
    private final List<Origin> opened = new ArrayList<>();
    private final List<String> acquired = new ArrayList<>();
    private final Set<InetSocketAddress> refused = new HashSet<>();
    private WriteBufferWaterMark waterMark;
    private boolean holdFlushes;

    /** @param client the client connection whose event loop the connections belong to */
    public EmbeddedOrigins(EmbeddedChannel client, int maxIdlePerServer) {
        this.client = client;
        // The channel type is never used: connections are made here, not by the pool's bootstrap.
        this.pool = new OriginPool(NioSocketChannel.class, maxIdlePerServer).new LoopPool();
    }

    @Override
    public boolean acquire(EventLoop loop, Server server, OriginTls tls, Protocol protocol, OriginTimeouts timeouts,
            OriginQueue queue, OriginListener listener) {
        if (loop != client.eventLoop()) {
            throw new IllegalStateException("acquire must run on the client connection's event loop");
        }
        if (queue != null) {
            throw new IllegalStateException("connection caps are tested over sockets (OriginConnectionLimitTest)");
        }
        InetSocketAddress remote = server.socketAddress();
        String address = remote.getAddress().getHostAddress() + ":" + remote.getPort();
        if (refused.contains(remote)) {
            acquired.add(address + " refused");
            loop.execute(() -> listener.originConnectFailed(new ConnectException("Connection refused")));
            return true;
        }
        OriginHttp1Connection idle = pool.poll(server.state(), tls);
        if (idle != null) {
            acquired.add(address + " pooled");
            idle.attach(listener);
            listener.originConnected(idle, true);
            return true;
        }
        acquired.add(address + " new");
        OriginHttp1Connection connection = new OriginHttp1Connection(pool, server, tls, null);
        opened.add(new Origin(connection, timeouts.idleMillis()));
        connection.attach(listener);
        loop.execute(() -> listener.originConnected(connection, false));
        return true;
    }

    /** No server here caps its connections: there is always room, and nothing ever waits. */
    @Override
    public boolean hasRoom(Server server, OriginTls tls, Protocol protocol) {
        return true;
    }

    @Override
    public boolean await(EventLoop loop, OriginQueue queue, int limit, OriginWaiter waiter, boolean first) {
        throw new IllegalStateException("connection caps are tested over sockets (OriginConnectionLimitTest)");
    }

    @Override
    public void leave(EventLoop loop, OriginQueue queue, OriginWaiter waiter) {
        throw new IllegalStateException("connection caps are tested over sockets (OriginConnectionLimitTest)");
    }

    @Override
    public boolean hasWaiters(EventLoop loop, OriginQueue queue) {
        return false;
    }

    /** Connects to {@code remote} fail from now on, as to a server that is not listening. */
    public void refuse(InetSocketAddress remote) {
        refused.add(remote);
    }

    /** New connections get this water mark (Netty's default otherwise). */
    public void waterMark(WriteBufferWaterMark mark) {
        this.waterMark = mark;
    }

    /** New connections hold every flush until {@link Origin#releaseFlushes}: an origin that reads nothing. */
    public void holdFlushes(boolean hold) {
        this.holdFlushes = hold;
    }

    /** Each acquire in order: {@code "ip:port new"}, {@code "ip:port pooled"} or {@code "ip:port refused"}. */
    public List<String> acquired() {
        return acquired;
    }

    /** Every connection opened, oldest first. */
    public List<Origin> opened() {
        return opened;
    }

    public Origin last() {
        return opened.get(opened.size() - 1);
    }

    /** Idle connections to {@code remote} in the pool. */
    public int idle(InetSocketAddress remote) {
        int n = 0;
        for (ArrayDeque<OriginHttp1Connection> q : pool.queues(null, false).values()) {
            for (OriginHttp1Connection c : q) {
                if (c.remote().equals(remote)) {
                    n++;
                }
            }
        }
        return n;
    }

    /** The origin's end of one connection. */
    public final class Origin {
        private final OriginHttp1Connection connection;
        private final EmbeddedChannel channel;
        private final FlushGate gate = new FlushGate();

        Origin(OriginHttp1Connection connection, long idleMillis) {
            this.connection = connection;
            this.channel = EmbeddedChannel.builder().ticker(client.eventLoop().ticker()).build();
            if (waterMark != null) {
                channel.config().setWriteBufferWaterMark(waterMark);
            }
            gate.hold = holdFlushes;
            channel.pipeline().addLast(
                    gate,
                    new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS),
                    new HttpClientCodec(STRICT, false, false),
                    connection);
        }

        public InetSocketAddress remote() {
            return connection.remote();
        }

        public EmbeddedChannel channel() {
            return channel;
        }

        /** The bytes the proxy sent that reached the origin (were flushed) since the last call. */
        public String received() {
            StringBuilder out = new StringBuilder();
            for (Object m; (m = channel.readOutbound()) != null; ) {
                ByteBuf b = (ByteBuf) m;
                out.append(b.toString(US_ASCII));
                b.release();
            }
            return out.toString();
        }

        /** Every byte the proxy wrote to this connection, flushed or not. */
        public String written() {
            return gate.written.toString();
        }

        /** The origin sends {@code bytes}. */
        public void send(String bytes) {
            channel.writeInbound(Unpooled.copiedBuffer(bytes, US_ASCII));
            client.runPendingTasks();
        }

        /** The origin closes the connection. */
        public void close() {
            channel.close();
            client.runPendingTasks();
        }

        public boolean isOpen() {
            return channel.isOpen();
        }

        /** Whether the proxy reads this connection (auto-read on), or holds it for a slow client. */
        public boolean isRead() {
            return channel.config().isAutoRead();
        }

        /** Lets the held bytes through, and every later flush. */
        public void releaseFlushes() {
            gate.hold = false;
            channel.flush();
            client.runPendingTasks();
        }

        /** Runs this connection's timers that are due on the shared ticker. */
        public void runDueTimers() {
            channel.runScheduledPendingTasks();
            client.runPendingTasks();
        }
    }

    /** Stands for the socket: records what is written, and can hold flushes like an origin that reads nothing. */
    private static final class FlushGate extends ChannelOutboundHandlerAdapter {
        final StringBuilder written = new StringBuilder();
        boolean hold;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf b) {
                written.append(b.toString(US_ASCII));
            }
            ctx.write(msg, promise);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            if (!hold) {
                ctx.flush();
            }
        }
    }
}
