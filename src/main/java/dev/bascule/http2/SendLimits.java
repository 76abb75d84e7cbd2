package dev.bascule.http2;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DecoratingHttp2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2LifecycleManager;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds on what a peer can make a connection send, each ending the connection with GOAWAY(ENHANCE_YOUR_CALM):
 * <ul>
 *   <li>control answers not yet written (SETTINGS and PING acknowledgements, RST_STREAM): a peer that sends PINGs
 *       but does not read would otherwise queue their answers without end (CVE-2019-9512, 9514, 9515);
 *   <li>RST_STREAM with an error code (not NO_ERROR or CANCEL) per window: a peer that makes each of its streams
 *       fail on purpose (CVE-2025-8671) costs a stream's work per reset.
 * </ul>
 * Netty's connection handler builder sets these up for its own frame writer; Bascule builds the connection's
 * codec itself around {@link FrameWriter}, so they are kept here.
 *
 * <p>Threading: confined to the connection's event loop.
 */
public final class SendLimits extends DecoratingHttp2ConnectionEncoder {
    private static final Logger log = LoggerFactory.getLogger(SendLimits.class);

    private final int maxQueuedControlFrames;
    private final int maxErrorResets;
    private final long windowNanos;
    private final Ticker ticker;
    private int queuedControlFrames;
    private final ChannelFutureListener controlFrameWritten = f -> queuedControlFrames--;
    private Http2LifecycleManager lifecycle;
    private boolean ended;
    private long windowStart;
    private int errorResetsInWindow;

    /**
     * @param maxErrorResets RST_STREAM frames with an error code allowed per window of {@code windowSeconds}
     */
    public SendLimits(Http2ConnectionEncoder delegate, int maxQueuedControlFrames, int maxErrorResets,
            int windowSeconds, Ticker ticker) {
        super(delegate);
        this.maxQueuedControlFrames = maxQueuedControlFrames;
        this.maxErrorResets = maxErrorResets;
        this.windowNanos = TimeUnit.SECONDS.toNanos(windowSeconds);
        this.ticker = ticker;
        this.windowStart = ticker.nanoTime() - windowNanos;
    }

    @Override
    public void lifecycleManager(Http2LifecycleManager lifecycleManager) {
        this.lifecycle = lifecycleManager;
        super.lifecycleManager(lifecycleManager);
    }

    @Override
    public ChannelFuture writeSettingsAck(ChannelHandlerContext ctx, ChannelPromise promise) {
        return super.writeSettingsAck(ctx, controlFrame(ctx, promise));
    }

    @Override
    public ChannelFuture writePing(ChannelHandlerContext ctx, boolean ack, long data, ChannelPromise promise) {
        if (!ack) {
            return super.writePing(ctx, false, data, promise);
        }
        return super.writePing(ctx, true, data, controlFrame(ctx, promise));
    }

    @Override
    public ChannelFuture writeRstStream(ChannelHandlerContext ctx, int streamId, long errorCode,
            ChannelPromise promise) {
        ChannelFuture written = super.writeRstStream(ctx, streamId, errorCode, controlFrame(ctx, promise));
        if (errorCode != Http2Error.NO_ERROR.code() && errorCode != Http2Error.CANCEL.code()) {
            long now = ticker.nanoTime();
            if (now - windowStart >= windowNanos) {
                windowStart = now;
                errorResetsInWindow = 0;
            }
            if (++errorResetsInWindow > maxErrorResets) {
                end(ctx, "more than " + maxErrorResets + " streams reset with an error in "
                        + TimeUnit.NANOSECONDS.toSeconds(windowNanos) + " s");
            }
        }
        return written;
    }

    /** Counts a control frame until it is written; past the bound, ends the connection (the frame still goes). */
    private ChannelPromise controlFrame(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (ended) {
            return promise;
        }
        if (queuedControlFrames >= maxQueuedControlFrames) {
            ctx.flush(); // some may go out now
        }
        if (queuedControlFrames >= maxQueuedControlFrames) {
            end(ctx, maxQueuedControlFrames + " control frames queued unwritten");
            return promise;
        }
        queuedControlFrames++;
        return promise.unvoid().addListener(controlFrameWritten);
    }

    private void end(ChannelHandlerContext ctx, String why) {
        if (ended) {
            return;
        }
        ended = true;
        log.debug("HTTP/2 connection from {} ended: {}", ctx.channel().remoteAddress(), why);
        lifecycle.onError(ctx, true, Http2Exception.connectionError(Http2Error.ENHANCE_YOUR_CALM, why));
        ctx.close();
    }
}
