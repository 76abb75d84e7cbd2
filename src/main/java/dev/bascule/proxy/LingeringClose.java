package dev.bascule.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;

/**
 * Closes a client connection the way nginx's lingering close does: when Bascule ends a connection the client may
 * still be writing to, it sends what is queued, ends its side (FIN), and reads and drops what the client still
 * sends, until the client closes its end, or {@link #QUIET_MILLIS} pass without a byte, or {@link #MAX_MILLIS} in
 * all. Closed at once instead, the socket would answer the client's next bytes with a reset, and a reset makes
 * the client's kernel drop what it had received and not yet read: the GOAWAY telling an abusive HTTP/2 client
 * why, or the last responses of a client being shut down.
 *
 * <p>Sits first in the pipeline, before TLS: a TLS close_notify goes out before the FIN, and the bytes dropped
 * are the raw ones. A lingering connection still counts in the connection limits until it closes.
 *
 * <p>Threading: confined to the connection's event loop.
 */
final class LingeringClose extends ChannelDuplexHandler {
    /** How long the client may stay silent while the connection lingers (nginx: {@code lingering_timeout}). */
    static final long QUIET_MILLIS = 5_000;
    /** How long a connection lingers at most (nginx: {@code lingering_time}). */
    static final long MAX_MILLIS = 30_000;

    private boolean lingering;
    private long lastReadNanos;
    private long endNanos;
    private ScheduledFuture<?> timer;

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (lingering) {
            ctx.channel().closeFuture().addListener(done -> promise.trySuccess());
            return;
        }
        if (!(ctx.channel() instanceof DuplexChannel socket) || !socket.isActive() || socket.isInputShutdown()
                || socket.isOutputShutdown()) {
            ctx.close(promise);
            return;
        }
        lingering = true;
        long now = ctx.executor().ticker().nanoTime();
        lastReadNanos = now;
        endNanos = now + TimeUnit.MILLISECONDS.toNanos(MAX_MILLIS);
        ctx.channel().closeFuture().addListener(done -> {
            cancelTimer();
            promise.trySuccess();
        });
        ctx.channel().config().setAutoRead(true); // to see the client's end; what comes before it is dropped
        // An empty write completes after every write queued before it, and none is let through after it: only then
        // may the sending side end, as ending it fails what is still queued.
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) written -> {
            if (!written.isSuccess() || !socket.isActive()) {
                ctx.close();
                return;
            }
            socket.shutdownOutput().addListener((ChannelFutureListener) shut -> {
                if (!shut.isSuccess()) {
                    ctx.close();
                }
            });
        });
        timer = ctx.executor().schedule(() -> check(ctx), QUIET_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void check(ChannelHandlerContext ctx) {
        timer = null;
        long now = ctx.executor().ticker().nanoTime();
        long quietUntil = lastReadNanos + TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS);
        long next = Math.min(quietUntil, endNanos);
        if (next - now <= 0) {
            ctx.close();
        } else {
            timer = ctx.executor().schedule(() -> check(ctx), next - now, TimeUnit.NANOSECONDS);
        }
    }

    private void cancelTimer() {
        ScheduledFuture<?> t = timer;
        timer = null;
        if (t != null) {
            t.cancel(false);
        }
    }

    /**
     * Nothing more goes out once the connection lingers: the sending side is ending, and ending it with a write
     * still in the kernel's hands would release that write's memory under the kernel (io_uring).
     */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (lingering) {
            ReferenceCountUtil.release(msg);
            promise.tryFailure(new ClosedChannelException());
            return;
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (lingering) {
            lastReadNanos = ctx.executor().ticker().nanoTime();
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!lingering) {
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (lingering) {
            ctx.close(); // a reset from the client while lingering: nothing more to wait for
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
