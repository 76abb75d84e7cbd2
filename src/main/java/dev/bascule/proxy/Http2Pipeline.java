package dev.bascule.proxy;

import dev.bascule.control.LiveSnapshot;
import dev.bascule.control.ListenerSettings;
import dev.bascule.control.ProxySettings;
import dev.bascule.origin.OriginConnector;
import dev.bascule.origin.UniqueFieldValues;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * Turns a client connection that settled on HTTP/2 (by ALPN, or by its preface on an h2c port) into a
 * multiplexed one: Netty's frame codec with Bascule's limits and abuse defences, and a child channel per
 * stream running a {@link FrontendStream}.
 *
 * <p>The defences, each answered by GOAWAY(ENHANCE_YOUR_CALM) for that connection only: more than {@link
 * #MAX_RESETS} client resets in {@link #RESET_WINDOW_SECONDS} s (rapid reset, CVE-2023-44487), or as many
 * refusals of streams over {@code h2_max_concurrent_streams}; runs of small CONTINUATION frames (CVE-2024-27316);
 * consecutive empty DATA frames; SETTINGS and PING floods ({@link Http2FloodGuard}), and more than {@link
 * #MAX_QUEUED_CONTROL_FRAMES} control answers queued behind a socket the client does not read. Header lists are
 * bounded by {@code max_header_size} (SETTINGS_MAX_HEADER_LIST_SIZE): an HPACK bomb is answered 431 and reset
 * without its fields being kept (the block is still read to its end, so the dynamic table stays in step), and
 * each such reset counts towards {@link #MAX_RESETS}; a block over 1.25 times the limit on the wire ends the
 * connection with GOAWAY(PROTOCOL_ERROR).
 *
 * <p>Threading: runs on the connection's event loop.
 */
final class Http2Pipeline {
    /** Client resets (and refusals) tolerated per window; a browser cancelling page loads stays far below. */
    static final int MAX_RESETS = 200;
    static final int RESET_WINDOW_SECONDS = 10;
    static final int MAX_QUEUED_CONTROL_FRAMES = 1000;
    static final int MAX_SMALL_CONTINUATION_FRAMES = 16;
    static final int MAX_CONSECUTIVE_EMPTY_DATA_FRAMES = 2;
    /** Stream flushes merged at most into one connection flush (Netty's default), so a burst cannot grow unbounded. */
    static final int MAX_FLUSHES_MERGED = FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES;

    private Http2Pipeline() {}

    /**
     * Adds HTTP/2's machinery at the end of the pipeline, in place of HTTP/1's. The connection reads on its own from
     * now on: HTTP/2 flow control, not the socket, paces each stream.
     */
    static void install(Channel ch, LiveSnapshot live, OriginConnector origins, ListenerSettings listener,
            ProxySettings settings) {
        ChannelPipeline p = ch.pipeline();
        if (p.get("timeouts") != null) {
            p.remove("timeouts"); // HTTP/1's; the connection handler keeps HTTP/2's idle time
        }
        String scheme = listener.tls() ? "https" : "http";
        FrontendHttp2Connection connection = new FrontendHttp2Connection(scheme, settings, listener.stats());
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(settings.h2MaxConcurrentStreams())
                        .maxHeaderListSize(settings.maxHeaderSize()))
                .validateHeaders(true)
                .headerSensitivityDetector(UniqueFieldValues.INSTANCE)
                .decoderEnforceMaxRstFramesPerWindow(MAX_RESETS, RESET_WINDOW_SECONDS)
                .encoderEnforceMaxRstFramesPerWindow(MAX_RESETS, RESET_WINDOW_SECONDS)
                .encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL_FRAMES)
                .decoderEnforceMaxSmallContinuationFrames(MAX_SMALL_CONTINUATION_FRAMES)
                .decoderEnforceMaxConsecutiveEmptyDataFrames(MAX_CONSECUTIVE_EMPTY_DATA_FRAMES)
                .gracefulShutdownTimeoutMillis(settings.shutdownGraceMillis())
                .build();
        Http2FloodGuard floods = new Http2FloodGuard(ch.eventLoop().ticker());
        floods.watch(codec);
        String hsts = listener.tls() ? listener.hsts() : null;
        Http2MultiplexHandler multiplex = new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.config().setAutoRead(false);
                stream.config().setOption(ChannelOption.WRITE_BUFFER_WATER_MARK, FrontendServer.WATER_MARK);
                ChannelPipeline sp = stream.pipeline();
                sp.addLast("http", new Http2StreamFrameToHttpObjectCodec(true, true));
                if (hsts != null) {
                    sp.addLast("hsts", new HstsHandler(hsts));
                }
                sp.addLast("stream", new FrontendStream(live, origins, connection));
            }
        });
        // First, before TLS: a connection Bascule ends (GOAWAY on abuse, idle, shutdown) lingers for the client's
        // last bytes rather than resetting with them unread, which would lose the GOAWAY.
        p.addFirst("linger", new LingeringClose());
        p.addLast("h2", codec);
        p.addLast("h2-floods", floods); // sees the HEADERS and DATA the streams write
        // A stream ends when its origin answers, on the origin connection's read, outside this connection's read
        // loop, where Netty's multiplexer cannot defer the flush: without this, every response is its own flush,
        // TLS record and write(2). Flushes made outside a read now wait for the end of the event loop's pass, so
        // the responses of all origins read in one pass share them; flushes made during a read still go out when
        // the read completes.
        p.addLast("h2-flush", new FlushConsolidationHandler(MAX_FLUSHES_MERGED, true));
        p.addLast("h2-streams", multiplex);
        p.addLast("h2-connection", connection);
        ch.config().setAutoRead(true);
    }
}
