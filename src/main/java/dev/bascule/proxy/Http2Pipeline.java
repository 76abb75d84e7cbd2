package dev.bascule.proxy;

import dev.bascule.control.LiveSnapshot;
import dev.bascule.control.ListenerSettings;
import dev.bascule.control.ProxySettings;
import dev.bascule.http2.FrameOutput;
import dev.bascule.origin.OriginConnector;
import dev.bascule.origin.UniqueFieldValues;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * Turns a client connection that settled on HTTP/2 (by ALPN, or by its preface on an h2c port) into a
 * multiplexed one: one {@link FrontendHttp2Connection} (Netty's connection handler, with Bascule's limits and
 * abuse defences) driving a {@link FrontendStream} per request stream.
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
    /** Stream flushes merged at most into one connection flush, so a burst outside reads cannot grow unbounded. */
    static final int MAX_FLUSHES_MERGED = 256;

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
        String hsts = listener.tls() ? listener.hsts() : null;
        Http2FloodGuard floods = new Http2FloodGuard(ch.eventLoop().ticker());
        FrameOutput output = new FrameOutput();
        FrontendHttp2Connection connection = new FrontendHttp2Connection.Builder(live, origins, scheme, settings,
                listener.stats(), hsts, floods, output, ch.eventLoop().ticker())
                .settings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(settings.h2MaxConcurrentStreams())
                        .maxHeaderListSize(settings.maxHeaderSize()))
                .sensitivity(UniqueFieldValues.INSTANCE)
                .resetLimits(MAX_RESETS, RESET_WINDOW_SECONDS)
                .queuedControlFrames(MAX_QUEUED_CONTROL_FRAMES)
                .smallContinuationFrames(MAX_SMALL_CONTINUATION_FRAMES)
                .consecutiveEmptyDataFrames(MAX_CONSECUTIVE_EMPTY_DATA_FRAMES)
                .shutdownGraceMillis(settings.shutdownGraceMillis())
                .build();
        // First, before TLS: a connection Bascule ends (GOAWAY on abuse, idle, shutdown) lingers for the client's
        // last bytes rather than resetting with them unread, which would lose the GOAWAY.
        p.addFirst("linger", new LingeringClose());
        p.addLast("h2-out", output);
        p.addLast("h2", connection);
        ch.config().setAutoRead(true);
    }
}
