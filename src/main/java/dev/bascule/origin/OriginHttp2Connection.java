package dev.bascule.origin;

import dev.bascule.tls.OriginTls;
import dev.bascule.upstream.OriginTimeouts;
import dev.bascule.upstream.Server;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/2 connection to an origin server (RFC 9113), multiplexing the streams of many requests: over TLS
 * when the upstream has it, with ALPN {@code h2} (section 3.2), else cleartext with prior knowledge (section 3.3).
 * It is the last handler of the connection's pipeline ({@code Http2FrameCodec}, {@code Http2MultiplexHandler},
 * this) and sees what concerns the whole connection: the origin's SETTINGS, GOAWAY, failures and the close.
 *
 * <p>Streams are opened once the origin's first SETTINGS frame has arrived, so its {@code
 * SETTINGS_MAX_CONCURRENT_STREAMS} is known; until then, and whenever that many are open, requests queue here.
 * While connecting it takes up to {@link #ASSUMED_MAX_STREAMS} (the least RFC 9113 6.5.2 recommends a server to
 * allow), so a burst waits for one connection instead of opening many. A GOAWAY drains it: no new streams, those
 * the origin kept finish, and it closes when the last one ends. With no stream for the upstream idle timeout it
 * closes too. It holds one slot of its server's {@code max_connections} from the connect until the channel closes.
 *
 * <p>Threading: confined to its channel's event loop, which is the loop of every request using it.
 */
final class OriginHttp2Connection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(OriginHttp2Connection.class);
    /** Streams taken while the origin's limit is not known yet. */
    static final int ASSUMED_MAX_STREAMS = 100;
    /**
     * The receive window of each stream (RFC 9113 6.9.2): at most this much of a response whose client reads slowly
     * waits in Bascule, as on HTTP/1.1 where a read buffer and the client's write buffer hold about as much. Four
     * times the default, so a download is not paced by round trips to the origin.
     */
    static final int STREAM_WINDOW = 256 * 1024;
    /**
     * The connection's receive window: room for a full window on every stream the origin usually allows, so
     * streams whose clients read slowly never hold up the others on the connection (RFC 9113 5.2.2).
     */
    static final int CONNECTION_WINDOW = ASSUMED_MAX_STREAMS * STREAM_WINDOW;
    /** As for HTTP/1.1 origins ({@code OriginPool}'s decoder): response header sections up to 64 KiB. */
    static final int MAX_HEADER_LIST_SIZE = 65536;

    private final OriginHttp2Pool pool;
    private final Server server;
    /** Null for cleartext (h2c). */
    private final OriginTls tls;
    private final OriginTimeouts timeouts;
    private final Runnable idleCheck = this::idleCheck;
    /** The upstream's queue as of the request that last opened a stream here; null when its servers have no cap. */
    private OriginQueue queue;
    private Channel channel;
    private Http2FrameCodec codec;
    private Http2StreamChannelBootstrap streams;
    /** Requests waiting for a stream: before the origin's SETTINGS, or while the origin's limit is reached. */
    private final ArrayDeque<OriginHttp2Stream> pending = new ArrayDeque<>(4);
    /** Streams opened and not yet closed. */
    private int open;
    private int maxStreams = ASSUMED_MAX_STREAMS;
    /** The origin's first SETTINGS arrived: streams can be opened. */
    private boolean ready;
    /** No new streams: a GOAWAY came, or it is closing. */
    private boolean draining;
    private boolean closed;
    private boolean holdsSlot = true;
    private Throwable closeCause;
    /** When the last stream ended (ticker time), for the idle timeout. */
    private long idleSince;
    private ScheduledFuture<?> idleTimer;
    private ScheduledFuture<?> readyTimer;

    /** Made once its slot is taken ({@code ServerState#tryAcquireConnection}), just before the connect starts. */
    OriginHttp2Connection(OriginHttp2Pool pool, Server server, OriginTls tls, OriginTimeouts timeouts,
            OriginQueue queue) {
        this.pool = pool;
        this.server = server;
        this.tls = tls;
        this.timeouts = timeouts;
        this.queue = queue;
    }

    InetSocketAddress remote() {
        return server.socketAddress();
    }

    Server server() {
        return server;
    }

    EventLoop eventLoop() {
        return channel.eventLoop();
    }

    OriginTls tls() {
        return tls;
    }

    OriginTimeouts timeouts() {
        return timeouts;
    }

    OriginQueue queue() {
        return queue;
    }

    long idleMillis() {
        return timeouts.idleMillis();
    }

    String describe() {
        return "the HTTP/2 connection to " + server.address();
    }

    /** Whether a request with this TLS identity can have a stream here now, or as soon as it is ready. */
    boolean takesStream(OriginTls identity) {
        return !draining && !closed && open + pending.size() < maxStreams
                && (tls == null ? identity == null : tls.equals(identity));
    }

    /** No stream open or waiting. */
    boolean isIdle() {
        return open == 0 && pending.isEmpty();
    }

    /**
     * Gives {@code listener} a stream: opened now when the connection is ready and below the origin's limit (its
     * {@code originConnected} may come before this returns), else when one is.
     */
    void openStream(OriginListener listener, OriginQueue q) {
        queue = q;
        OriginHttp2Stream s = new OriginHttp2Stream(this, listener);
        if (ready && open < maxStreams && pending.isEmpty()) {
            start(s);
        } else {
            pending.addLast(s);
        }
    }

    private void start(OriginHttp2Stream s) {
        open++;
        s.counted(true);
        streams.handler(s).open().addListener((Future<Http2StreamChannel> f) -> opened(s, f));
    }

    private void opened(OriginHttp2Stream s, Future<Http2StreamChannel> f) {
        OriginListener l = s.listener();
        if (f.isSuccess()) {
            if (l != null) {
                // Never "reused": a stream is new whatever its connection, and HTTP/2 says exactly which requests
                // the origin did not process (RequestNotProcessedException), where HTTP/1.1 needs the guess that
                // a request on a pooled connection that closed never reached the origin.
                l.originConnected(s, false);
            }
            return;
        }
        streamClosed(s);
        if (l != null) {
            l.originConnectFailed(f.cause());
        }
    }

    private void startPending() {
        OriginHttp2Stream s;
        while (ready && !draining && open < maxStreams && (s = pending.pollFirst()) != null) {
            start(s);
        }
    }

    /** A stream's channel closed (or never opened). */
    void streamClosed(OriginHttp2Stream s) {
        if (!s.counted(false)) {
            return;
        }
        open--;
        if (closed) {
            return;
        }
        startPending();
        if (isIdle()) {
            if (draining) {
                channel.close();
                return;
            }
            idleSince = now();
            if (idleTimer == null) {
                idleTimer = channel.eventLoop().schedule(idleCheck, timeouts.idleMillis(), TimeUnit.MILLISECONDS);
            }
        }
        roomFreed();
    }

    /**
     * A stream ended or the origin allowed more: requests of this upstream waiting on this loop may use the room.
     * With none waiting here but some on other loops, an idle connection is closed so its slot can serve them.
     */
    private void roomFreed() {
        OriginQueue q = queue;
        if (q == null || q.length() == 0) {
            return;
        }
        OriginWaiters here = q.find(channel.eventLoop());
        if (here != null && here.size() > 0) {
            here.serve();
        } else if (isIdle() && !draining) {
            closeForWaiters();
        }
    }

    /** Closes it so its slot can serve a request waiting on another loop; it must have no stream. */
    void closeForWaiters() {
        draining = true;
        pool.remove(this);
        if (channel != null) {
            channel.close(); // sends GOAWAY(NO_ERROR) first
        }
    }

    /**
     * Closes it for a stop, streams or not: GOAWAY first, then the connection once its streams are done (within the
     * codec's graceful-shutdown time). Null when it never got a channel.
     */
    ChannelFuture closeForStop() {
        draining = true;
        return channel == null ? null : channel.close();
    }

    private void idleCheck() {
        idleTimer = null;
        if (closed || draining || !isIdle()) {
            return; // busy again: re-armed when it next goes idle
        }
        long left = idleSince + TimeUnit.MILLISECONDS.toNanos(timeouts.idleMillis()) - now();
        if (left > 0) {
            idleTimer = channel.eventLoop().schedule(idleCheck, left, TimeUnit.NANOSECONDS);
            return;
        }
        draining = true;
        pool.remove(this);
        channel.close();
    }

    private long now() {
        return channel.eventLoop().ticker().nanoTime();
    }

    // ---- connecting ----

    void connect(Bootstrap bootstrap) {
        InetSocketAddress remote = server.socketAddress();
        ChannelFuture f = bootstrap.handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                if (tls != null) {
                    SslHandler ssl = tls.context().newHandler(ch.alloc(), tls.peerHost(), remote.getPort());
                    ssl.setHandshakeTimeoutMillis(timeouts.connectMillis());
                    ch.pipeline().addLast("tls", ssl);
                    ch.pipeline().addLast(new AlpnH2(OriginHttp2Connection.this));
                } else {
                    addHttp2(ch.pipeline());
                }
            }
        }).connect(remote);
        channel = f.channel();
        // The slot taken by acquire goes back when the channel closes, however that happens.
        channel.closeFuture().addListener(done -> closed());
        f.addListener((ChannelFuture done) -> {
            if (!done.isSuccess()) {
                fail(done.cause());
                closed(); // also when the channel never got far enough to close
                return;
            }
            // The TLS handshake and the origin's preface must follow within the connect timeout.
            readyTimer = channel.eventLoop().schedule(this::readyTimedOut, timeouts.connectMillis(),
                    TimeUnit.MILLISECONDS);
        });
    }

    private void addHttp2(ChannelPipeline p) {
        Http2Settings settings = new Http2Settings()
                .pushEnabled(false) // RFC 9113 8.4: a proxy has no use for pushed responses
                .initialWindowSize(STREAM_WINDOW)
                .maxHeaderListSize(MAX_HEADER_LIST_SIZE);
        codec = Http2FrameCodecBuilder.forClient().initialSettings(settings)
                .headerSensitivityDetector(UniqueFieldValues.INSTANCE).build();
        p.addLast(codec, new Http2MultiplexHandler(NoPush.INSTANCE), this);
    }

    private void readyTimedOut() {
        readyTimer = null;
        if (!ready && !closed) {
            fail(new ConnectTimeoutException("no HTTP/2 SETTINGS from " + server.address() + " within "
                    + timeouts.connectMillis() + " ms"));
        }
    }

    /** The connection cannot be used: it closes, and requests waiting for a stream are told. */
    private void fail(Throwable cause) {
        if (closeCause == null) {
            closeCause = cause;
        }
        channel.close();
    }

    /**
     * The channel closed (or never opened): gives the server's connection slot back, once, and sends the requests
     * still waiting for a stream elsewhere: none of them reached the origin.
     */
    private void closed() {
        if (closed) {
            return;
        }
        closed = true;
        draining = true;
        pool.remove(this);
        cancel(idleTimer);
        cancel(readyTimer);
        if (holdsSlot) {
            holdsSlot = false;
            server.state().releaseConnection();
            OriginQueue q = queue;
            if (q != null) {
                q.slotFreed(channel.eventLoop());
            }
        }
        if (!pending.isEmpty()) {
            Throwable cause = closeCause != null ? closeCause
                    : new IOException(server.address() + " closed the HTTP/2 connection before a stream opened");
            redispatchPending(ready ? null : cause);
        }
    }

    /**
     * Sends the requests waiting for a stream to another connection; with {@code connectFailure} set (this
     * connection never became usable) they are told their connect failed instead.
     */
    private void redispatchPending(Throwable connectFailure) {
        OriginHttp2Stream s;
        while ((s = pending.pollFirst()) != null) {
            OriginListener l = s.listener();
            if (connectFailure != null) {
                l.originConnectFailed(connectFailure);
            } else {
                pool.redispatch(this, l);
            }
        }
    }

    private static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    // ---- connection-level frames ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2SettingsFrame frame) {
            settingsReceived(frame.settings());
        } else if (msg instanceof Http2GoAwayFrame goAway) {
            goAwayReceived(goAway);
        }
        ReferenceCountUtil.release(msg);
    }

    private void settingsReceived(Http2Settings settings) {
        Long max = settings.maxConcurrentStreams();
        if (max != null) {
            maxStreams = (int) Math.min(max, Integer.MAX_VALUE);
        } else if (!ready) {
            maxStreams = Integer.MAX_VALUE; // RFC 9113 6.5.2: no limit until the origin names one
        }
        if (!ready) {
            ready = true;
            cancel(readyTimer);
            streams = new Http2StreamChannelBootstrap(channel);
            Http2Connection h2 = codec.connection();
            int grow = CONNECTION_WINDOW - h2.local().flowController().windowSize(h2.connectionStream());
            if (grow > 0) {
                channel.writeAndFlush(new DefaultHttp2WindowUpdateFrame(grow));
            }
            if (maxStreams == 0) {
                // An origin that allows no stream at all cannot serve anything on this connection.
                log.debug("{} allows no HTTP/2 streams", server.address());
                draining = true;
                pool.remove(this);
                redispatchPending(new IOException(server.address() + " allows no HTTP/2 streams"));
                channel.close();
                return;
            }
            if (pending.isEmpty()) {
                idleSince = now();
                idleTimer = channel.eventLoop().schedule(idleCheck, timeouts.idleMillis(), TimeUnit.MILLISECONDS);
            }
        }
        startPending();
        roomFreed();
    }

    /**
     * RFC 9113 6.8: the origin takes no new stream here. Streams up to its last stream id finish; those above it
     * are told by the multiplexer (see {@link OriginHttp2Stream}) and closed; requests still waiting for a stream
     * go to another connection.
     */
    private void goAwayReceived(Http2GoAwayFrame goAway) {
        log.debug("{} sent GOAWAY (last stream {}, error {})", server.address(), goAway.lastStreamId(),
                goAway.errorCode());
        draining = true;
        pool.remove(this);
        redispatchPending(null);
        if (open == 0) {
            channel.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // HTTP/2 protocol errors are handled by the codec (GOAWAY and close); what arrives here is I/O.
        log.debug("{}: {}", describe(), cause.toString());
        fail(cause);
    }

    /** Checks what ALPN chose before the HTTP/2 handlers go in: an origin that does not speak h2 is a failed connect. */
    private static final class AlpnH2 extends ApplicationProtocolNegotiationHandler {
        private final OriginHttp2Connection connection;

        AlpnH2(OriginHttp2Connection connection) {
            super("none");
            this.connection = connection;
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                connection.addHttp2(ctx.pipeline());
                return;
            }
            connection.fail(new SSLHandshakeException(connection.server.address() + " did not select h2 by ALPN"
                    + " (selected: " + protocol + "); protocol h2 needs an origin that speaks HTTP/2 over TLS"));
        }

        @Override
        protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
            connection.fail(cause);
        }
    }

    /** Server push is turned off in Bascule's SETTINGS; a pushed stream, should one come, is closed at once. */
    @ChannelHandler.Sharable
    private static final class NoPush extends ChannelInboundHandlerAdapter {
        static final NoPush INSTANCE = new NoPush();

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.close();
        }
    }
}
