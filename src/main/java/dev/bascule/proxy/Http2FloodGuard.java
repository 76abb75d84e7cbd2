package dev.bascule.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.TimeUnit;

/**
 * Ends an HTTP/2 client connection that floods SETTINGS or PING frames with GOAWAY(ENHANCE_YOUR_CALM)
 * (CVE-2019-9515 and CVE-2019-9512; RFC 9113 10.5 lets an endpoint treat such use as a connection error).
 * The bound on queued answers ({@link Http2Pipeline#MAX_QUEUED_CONTROL_FRAMES}) trips only once the answers
 * pile up behind a socket the client does not read, after they have filled megabytes of kernel buffers, and it
 * closes with its GOAWAY still queued behind them; this guard counts what the client sends, so the connection
 * ends after about a hundred frames and the GOAWAY still fits in the socket.
 * <ul>
 *   <li>SETTINGS: more than {@link #MAX_SETTINGS} in a window. A client sends one as it starts and rarely another.
 *   <li>PING: more than {@link #MAX_IDLE_PINGS} in a window, counting only pings with no HEADERS or DATA sent to
 *       the client since the one before. A client that measures the bandwidth-delay product (gRPC) pings as data
 *       reaches it, and the data in between clears the count; keep-alive pings come seconds apart. (gRPC's servers
 *       answer such pings the same way, GOAWAY(ENHANCE_YOUR_CALM) "too_many_pings".)
 * </ul>
 * Two hooks: a decorator of the connection's frame listener sees frames as they are decoded and throws the
 * connection error, which Netty's connection handler answers with the GOAWAY and a close, as it does for Netty's
 * own limits (decoding stops there); and the streams tell it of each HEADERS and DATA frame they write ({@link
 * #sent()}).
 *
 * <p>Threading: confined to the connection's event loop.
 */
final class Http2FloodGuard {
    static final int MAX_SETTINGS = 100;
    static final int MAX_IDLE_PINGS = 100;
    static final int WINDOW_SECONDS = 10;

    private final Ticker ticker;
    private final long windowNanos = TimeUnit.SECONDS.toNanos(WINDOW_SECONDS);
    private long windowStart;
    private int settingsInWindow;
    private int idlePingsInWindow;
    /** Cleared when a HEADERS or DATA frame goes to the client: the next ping is not idle. */
    private boolean sentSincePing = true;

    Http2FloodGuard(Ticker ticker) {
        this.ticker = ticker;
        this.windowStart = ticker.nanoTime() - windowNanos;
    }

    /** Puts the guard's listener in front of the decoder's own (after Netty's limits, which wrap whatever is set). */
    void watch(Http2ConnectionDecoder decoder) {
        decoder.frameListener(new Listener(decoder.frameListener()));
    }

    /** A HEADERS or DATA frame went to the client. */
    void sent() {
        sentSincePing = true;
    }

    /** Starts a new window when the current one is over; the counts are per window. */
    private void tick() {
        long now = ticker.nanoTime();
        if (now - windowStart >= windowNanos) {
            windowStart = now;
            settingsInWindow = 0;
            idlePingsInWindow = 0;
        }
    }

    private final class Listener extends Http2FrameListenerDecorator {
        Listener(Http2FrameListener listener) {
            super(listener);
        }

        @Override
        public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) throws Http2Exception {
            tick();
            if (++settingsInWindow > MAX_SETTINGS) {
                throw Http2Exception.connectionError(Http2Error.ENHANCE_YOUR_CALM, "SETTINGS flood");
            }
            super.onSettingsRead(ctx, settings);
        }

        @Override
        public void onPingRead(ChannelHandlerContext ctx, long data) throws Http2Exception {
            tick();
            if (!sentSincePing && ++idlePingsInWindow > MAX_IDLE_PINGS) {
                throw Http2Exception.connectionError(Http2Error.ENHANCE_YOUR_CALM, "PING flood");
            }
            sentSincePing = false;
            super.onPingRead(ctx, data);
        }
    }
}
