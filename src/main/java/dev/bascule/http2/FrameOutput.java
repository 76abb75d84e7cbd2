package dev.bascule.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;
import io.netty.util.concurrent.PromiseNotifier;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;

/**
 * The frames of one HTTP/2 connection on their way out. {@link FrameWriter} encodes each frame into this handler's
 * buffer, and the buffer goes on to the next handler (TLS, or the socket) as one write when the connection flushes:
 * one message, one TLS wrap input and one promise per flush, where a frame per write would cost a message, a queue
 * entry in the TLS handler and a chain of promises each.
 *
 * <p>The promise of each frame is completed when the write that carries it completes, as it would be had the frame
 * been written alone: Netty's connection handler closes streams and counts outstanding control frames on those
 * completions.
 *
 * <p>Held bytes are not yet counted by the channel's writability, so the buffer goes on without waiting for the
 * flush once it holds {@link #MAX_HELD} bytes, and a frame payload of {@link #PASS_ON} bytes or more goes on as a
 * slice of its own instead of being copied. Anything written past the writer goes on after the bytes held before
 * it, so the connection's order is kept.
 *
 * <p>Sits right after the HTTP/2 connection handler in the pipeline. Threading: confined to the channel's event loop.
 */
public final class FrameOutput extends ChannelOutboundHandlerAdapter {
    static final int INITIAL_CAPACITY = 2048;
    static final int MAX_HELD = 16 * 1024;
    static final int PASS_ON = 8 * 1024;

    private ChannelHandlerContext ctx;
    /** For writes nobody waits on: a failed write closes the connection anyway, so it is not reported again. */
    private ChannelPromise unwatched;
    private ByteBuf held;
    private ChannelPromise[] promises = new ChannelPromise[8];
    private int promiseCount;
    private boolean removed;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.unwatched = new VoidChannelPromise(ctx.channel(), false);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        removed = true;
        discard();
    }

    /** Frames written once the pipeline is gone (the connection closed) are dropped, their promises failed. */
    private void discard() {
        if (held != null) {
            held.release();
            held = null;
        }
        if (promiseCount > 0) {
            ClosedChannelException closed = new ClosedChannelException();
            for (int i = 0; i < promiseCount; i++) {
                promises[i].tryFailure(closed);
                promises[i] = null;
            }
            promiseCount = 0;
        }
    }

    /** The buffer the next frame goes into, with room for at least {@code bytes} more. */
    ByteBuf buffer(int bytes) {
        if (held == null) {
            held = ctx.alloc().buffer(Math.max(INITIAL_CAPACITY, bytes));
        } else {
            held.ensureWritable(bytes);
        }
        return held;
    }

    /**
     * Adds {@code length} bytes of {@code payload} to the frame being written, taking them from it: copied when
     * small, passed on as a slice after what is held when large. Does not release {@code payload}.
     */
    void payload(ByteBuf payload, int length) {
        if (length < PASS_ON) {
            buffer(length).writeBytes(payload, length);
        } else {
            emit();
            ctx.write(payload.readRetainedSlice(length), unwatched);
        }
    }

    /** A frame is whole; its promise completes with the write that carries it. */
    ChannelPromise framed(ChannelPromise promise) {
        if (removed) {
            discard();
            promise.tryFailure(new ClosedChannelException());
            return promise;
        }
        if (!promise.isVoid()) {
            if (promiseCount == promises.length) {
                promises = Arrays.copyOf(promises, promiseCount * 2);
            }
            promises[promiseCount++] = promise;
        }
        if (held != null && held.readableBytes() >= MAX_HELD) {
            emit();
        }
        return promise;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        emit();
        ctx.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        emit();
        ctx.flush();
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
        emit();
        super.close(ctx, promise);
    }

    /** Hands what is held to the next handler, with one promise standing for the frames' own. */
    private void emit() {
        ByteBuf out = held;
        if (out != null) {
            held = null;
            ctx.write(out, promiseOfHeld());
        } else if (promiseCount > 0) {
            // frames whose payload went on as slices of their own, with nothing after them
            ctx.write(Unpooled.EMPTY_BUFFER, promiseOfHeld());
        }
    }

    private ChannelPromise promiseOfHeld() {
        int count = promiseCount;
        if (count == 0) {
            return unwatched;
        }
        promiseCount = 0;
        if (count == 1) {
            ChannelPromise only = promises[0];
            promises[0] = null;
            return only;
        }
        ChannelPromise[] batch = Arrays.copyOf(promises, count);
        Arrays.fill(promises, 0, count, null);
        return ctx.newPromise().addListener(new PromiseNotifier<>(false, batch));
    }
}
