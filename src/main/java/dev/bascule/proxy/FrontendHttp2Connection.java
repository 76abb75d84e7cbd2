package dev.bascule.proxy;

import dev.bascule.control.LiveSnapshot;
import dev.bascule.control.ProxySettings;
import dev.bascule.http2.FrameOutput;
import dev.bascule.http2.FrameWriter;
import dev.bascule.http2.SendLimits;
import dev.bascule.origin.OriginConnector;
import dev.bascule.stats.ListenerStats;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2ConnectionDecoder;
import io.netty.handler.codec.http2.DefaultHttp2ConnectionEncoder;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2FrameReader;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import io.netty.handler.codec.http2.Http2PromisedRequestVerifier;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/2 client connection: Netty's connection handler (frame reading, HPACK, flow control, the protocol's rules
 * and Netty's abuse limits) with Bascule's streams driven straight from its frame events, and frames written by
 * Bascule's {@link FrameWriter} into one buffer per flush ({@link FrameOutput}, next in the pipeline). Each request
 * stream is a plain {@link FrontendStream} attached to Netty's stream object: no child channel, pipeline or frame
 * objects per stream, and no HTTP/1 codec in between.
 *
 * <p>What the connection keeps for its streams: who the peer is, the scheme, the TLS version, and the
 * connection's life. A connection with no open stream is closed {@code client_idle} after its last stream ended
 * ({@code client_header} after it opened, for one that never opens a stream); a graceful shutdown sends GOAWAY
 * at once and lets the streams in flight finish (Netty's handler waits for them up to {@code shutdown_grace}).
 *
 * <p>Flushes: a stream's response usually ends on its origin connection's read, outside this connection's read.
 * Such flushes wait for the end of the event loop's pass ({@link #flushSoon()}), so the responses of all origins
 * read in one pass share one flush, one TLS record run and one write; flushes asked for during this connection's
 * own read go out when the read completes.
 *
 * <p>Threading: confined to the connection's event loop; its streams run there too.
 */
final class FrontendHttp2Connection extends Http2ConnectionHandler {
    private static final Logger log = LoggerFactory.getLogger(FrontendHttp2Connection.class);

    private final LiveSnapshot live;
    private final OriginConnector origins;
    private final String scheme;
    private final ListenerStats listener;
    /** The listener's Strict-Transport-Security value for every final response; null when it sends none. */
    private final AsciiString hsts;
    private final Http2FloodGuard floods;
    private final Http2Connection.PropertyKey streamKey;
    private final long firstStreamNanos;
    private final long idleNanos;
    private final Runnable flushTask = this::flushNow;
    /** The connection's TLS version, null over plain TCP; read at the first stream. */
    private String tlsVersion;
    private boolean tlsVersionKnown;
    private ChannelHandlerContext ctx;
    private boolean closing;
    private int openStreams;
    private long idleSince;
    private long idleLimit;
    private ScheduledFuture<?> idleCheck;
    /** Inside this connection's read: its read-complete flushes whatever the streams wrote. */
    private boolean reading;
    private boolean flushScheduled;
    private int flushesMerged;

    private FrontendHttp2Connection(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
            Http2Settings settings, Builder b) {
        super(decoder, encoder, settings);
        this.live = b.live;
        this.origins = b.origins;
        this.scheme = b.scheme;
        this.listener = b.stats;
        this.hsts = b.hsts == null ? null : new AsciiString(b.hsts);
        this.floods = b.floods;
        this.firstStreamNanos = TimeUnit.MILLISECONDS.toNanos(b.settings.clientHeaderTimeoutMillis());
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(b.settings.clientIdleMillis());
        this.streamKey = connection().newKey();
        connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(Http2Stream stream) {
                FrontendStream s = stream.removeProperty(streamKey);
                if (s != null) {
                    s.closed();
                }
            }
        });
        encoder.flowController().listener(stream -> {
            FrontendStream s = stream.getProperty(streamKey);
            if (s != null) {
                s.writabilityChanged();
            }
        });
        decoder.frameListener(new Frames());
        floods.watch(decoder);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        super.handlerAdded(ctx);
        idle(firstStreamNanos);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        reading = true;
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        reading = false;
        flushesMerged = 0;
        super.channelReadComplete(ctx); // flushes
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closing = true; // the streams closing now arm no idle check
        cancelIdleCheck();
        super.channelInactive(ctx); // closes the streams still open, which tells their exchanges
    }

    /**
     * Connection errors Netty's handler has already answered (a flood, a malformed frame) arrive as HTTP/2
     * exceptions, and it closes once its GOAWAY is written. Anything else (a socket error) closes at once. Both are
     * the client's doing or its network's, so they are logged at debug only: an abuser must not fill the log.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        log.debug("HTTP/2 client connection {} failed", ctx.channel().remoteAddress(), cause);
        if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
            super.exceptionCaught(ctx, cause);
        } else {
            ctx.close();
        }
    }

    // ---- for the streams ----

    LiveSnapshot live() {
        return live;
    }

    OriginConnector origins() {
        return origins;
    }

    ChannelHandlerContext context() {
        return ctx;
    }

    /** The listener the connection came in on, whose counts its streams add to. */
    ListenerStats listener() {
        return listener;
    }

    /** The Strict-Transport-Security value to set on final responses; null when none. */
    AsciiString hsts() {
        return hsts;
    }

    /** {@code TLSv1.3} and the like; null over plain TCP. */
    String tlsVersion() {
        if (!tlsVersionKnown) {
            tlsVersionKnown = true;
            SslHandler tls = ctx.pipeline().get(SslHandler.class);
            tlsVersion = tls == null ? null : tls.engine().getSession().getProtocol();
        }
        return tlsVersion;
    }

    SocketAddress remoteAddress() {
        return ctx.channel().remoteAddress();
    }

    String scheme() {
        return scheme;
    }

    boolean closing() {
        return closing;
    }

    /** A HEADERS or DATA frame went to the client: the flood guard's next PING is not an idle one. */
    void sentToClient() {
        floods.sent();
    }

    /** Whether {@code stream} takes more response data now (its window and the socket's). */
    boolean isWritable(Http2Stream stream) {
        return encoder().flowController().isWritable(stream);
    }

    /**
     * Returns {@code bytes} of a stream's request body to flow control, once the stream has handed them on: the
     * client may send that much more (a WINDOW_UPDATE goes out when enough has been returned).
     */
    void consumed(Http2Stream stream, int bytes) {
        try {
            if (decoder().flowController().consumeBytes(stream, bytes)) {
                flushSoon();
            }
        } catch (Http2Exception e) {
            onError(ctx, true, e);
        }
    }

    /** Resets {@code stream} (if it is still open) with {@code error}; its other streams go on. */
    void reset(Http2Stream stream, Http2Error error) {
        if (stream.state() != Http2Stream.State.CLOSED) {
            resetStream(ctx, stream.id(), error.code(), ctx.newPromise());
            flushSoon();
        }
    }

    /** Flushes what the streams wrote: at the end of this read, or else at the end of the event loop's pass. */
    void flushSoon() {
        if (reading) {
            return;
        }
        if (++flushesMerged >= Http2Pipeline.MAX_FLUSHES_MERGED) {
            flushNow(); // a long burst outside reads still goes out in bounded pieces
            return;
        }
        if (!flushScheduled) {
            flushScheduled = true;
            ctx.channel().eventLoop().execute(flushTask);
        }
    }

    private void flushNow() {
        flushScheduled = false;
        flushesMerged = 0;
        flush(ctx);
    }

    void streamOpened() {
        openStreams++;
        cancelIdleCheck();
    }

    void streamClosed() {
        if (--openStreams == 0 && !closing) {
            idle(idleNanos);
        }
    }

    /** Graceful shutdown: GOAWAY now; the streams in flight finish, then the connection closes. */
    void closeWhenIdle() {
        closing = true;
        cancelIdleCheck();
        ctx.channel().close(); // through this handler: GOAWAY, then close once the streams are done
    }

    // ---- idle ----

    private void idle(long limit) {
        idleSince = ctx.executor().ticker().nanoTime();
        idleLimit = limit;
        if (idleCheck == null) {
            idleCheck = ctx.executor().schedule(this::checkIdle, limit, TimeUnit.NANOSECONDS);
        }
    }

    private void checkIdle() {
        idleCheck = null;
        if (openStreams > 0 || !ctx.channel().isActive()) {
            return;
        }
        long left = idleSince + idleLimit - ctx.executor().ticker().nanoTime();
        if (left <= 0) {
            ctx.channel().close(); // GOAWAY(NO_ERROR), then close
        } else {
            idleCheck = ctx.executor().schedule(this::checkIdle, left, TimeUnit.NANOSECONDS);
        }
    }

    private void cancelIdleCheck() {
        if (idleCheck != null) {
            idleCheck.cancel(false);
            idleCheck = null;
        }
    }

    // ---- frames ----

    /** The client's frames that concern streams; connection-level ones are Netty's handler's alone. */
    private final class Frames extends Http2FrameAdapter {
        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                boolean endOfStream) throws Http2Exception {
            Http2Stream stream = connection().stream(streamId);
            if (stream == null) {
                return; // already closed: the decoder has dealt with it
            }
            FrontendStream s = stream.getProperty(streamKey);
            if (s == null) {
                s = new FrontendStream(FrontendHttp2Connection.this, stream);
                stream.setProperty(streamKey, s);
                streamOpened();
                s.headers(headers, endOfStream);
            } else {
                s.trailers(headers, endOfStream);
            }
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                short weight, boolean exclusive, int padding, boolean endOfStream) throws Http2Exception {
            onHeadersRead(ctx, streamId, headers, padding, endOfStream);
        }

        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
                boolean endOfStream) {
            Http2Stream stream = connection().stream(streamId);
            FrontendStream s = stream == null ? null : stream.getProperty(streamKey);
            if (s == null) {
                return data.readableBytes() + padding;
            }
            return padding + s.data(data, endOfStream); // the data's bytes go back once handed on
        }
    }

    // ---- construction ----

    /**
     * Builds the connection around Bascule's frame writer ({@link FrameWriter} into {@link FrameOutput}). Netty's
     * builder makes its own writer, so the codec is assembled here: Netty's connection, frame reader, HPACK and
     * flow control, with the limits on what a client can make the connection send ({@link SendLimits}); the
     * builder still adds its limits on what is read (resets, empty DATA frames) and the concurrent stream bound.
     * The limits' values are {@link Http2Pipeline}'s.
     */
    static final class Builder extends AbstractHttp2ConnectionHandlerBuilder<FrontendHttp2Connection, Builder> {
        private final LiveSnapshot live;
        private final OriginConnector origins;
        private final String scheme;
        private final ProxySettings settings;
        private final ListenerStats stats;
        private final String hsts;
        private final Http2FloodGuard floods;
        private final FrameOutput output;
        private final Ticker ticker;
        private Http2Settings initial = Http2Settings.defaultSettings();
        private Http2HeadersEncoder.SensitivityDetector sensitivity = Http2HeadersEncoder.NEVER_SENSITIVE;
        // Netty's defaults until set
        private int maxResets = 200;
        private int resetWindowSeconds = 30;
        private int maxQueuedControlFrames = Http2CodecUtil.DEFAULT_MAX_QUEUED_CONTROL_FRAMES;
        private int maxSmallContinuationFrames = 16;

        Builder(LiveSnapshot live, OriginConnector origins, String scheme, ProxySettings settings,
                ListenerStats stats, String hsts, Http2FloodGuard floods, FrameOutput output, Ticker ticker) {
            this.live = live;
            this.origins = origins;
            this.scheme = scheme;
            this.settings = settings;
            this.stats = stats;
            this.hsts = hsts;
            this.floods = floods;
            this.output = output;
            this.ticker = ticker;
        }

        Builder settings(Http2Settings initial) {
            this.initial = initial;
            return initialSettings(initial);
        }

        Builder sensitivity(Http2HeadersEncoder.SensitivityDetector detector) {
            this.sensitivity = detector;
            return this;
        }

        Builder resetLimits(int resets, int seconds) {
            this.maxResets = resets;
            this.resetWindowSeconds = seconds;
            return decoderEnforceMaxRstFramesPerWindow(resets, seconds);
        }

        Builder queuedControlFrames(int limit) {
            this.maxQueuedControlFrames = limit;
            return this;
        }

        Builder smallContinuationFrames(int limit) {
            this.maxSmallContinuationFrames = limit;
            return this;
        }

        Builder consecutiveEmptyDataFrames(int limit) {
            return decoderEnforceMaxConsecutiveEmptyDataFrames(limit);
        }

        Builder shutdownGraceMillis(long millis) {
            return gracefulShutdownTimeoutMillis(millis);
        }

        @Override
        public FrontendHttp2Connection build() {
            Http2Connection connection = new DefaultHttp2Connection(true);
            Long maxHeaderListSize = initial.maxHeaderListSize();
            Http2FrameReader reader = new DefaultHttp2FrameReader(new DefaultHttp2HeadersDecoder(true,
                    maxHeaderListSize == null ? Http2CodecUtil.DEFAULT_HEADER_LIST_SIZE : maxHeaderListSize, -1),
                    maxSmallContinuationFrames);
            Http2ConnectionEncoder encoder = new SendLimits(
                    new DefaultHttp2ConnectionEncoder(connection, new FrameWriter(output, sensitivity)),
                    maxQueuedControlFrames, maxResets, resetWindowSeconds, ticker);
            Http2ConnectionDecoder decoder = new DefaultHttp2ConnectionDecoder(connection, encoder, reader,
                    Http2PromisedRequestVerifier.ALWAYS_VERIFY, true, true, true, false);
            codec(decoder, encoder);
            return super.build();
        }

        @Override
        protected FrontendHttp2Connection build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                Http2Settings initialSettings) {
            return new FrontendHttp2Connection(decoder, encoder, initialSettings, this);
        }
    }
}
