package dev.bascule.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * The bytes a codec has read and not yet decoded, kept as {@code ByteToMessageDecoder} keeps them, for a codec
 * that decodes without being one: the first read's buffer is kept as it is, later reads are merged into it
 * ({@link ByteToMessageDecoder#MERGE_CUMULATOR}, which copies into a new buffer when the old one is shared, as it
 * is while a body slice of it is held downstream), and bytes already decoded are dropped between reads when no one
 * else holds the buffer.
 *
 * <p>It owns its buffer: {@link #release} or {@link #take} gives it up.
 *
 * <p>Threading: one per connection, on its event loop.
 */
public final class Cumulation {
    private ByteBuf buf;
    /** The buffer kept is the last read's own (nothing was left before it): not compacted, as Netty's decoder. */
    private boolean first;

    /** Adds what was read (taking it over) and returns the bytes to decode. */
    public ByteBuf add(ByteBufAllocator alloc, ByteBuf in) {
        first = buf == null;
        buf = ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(alloc, first ? Unpooled.EMPTY_BUFFER : buf, in);
        return buf;
    }

    /** The bytes kept, or null when there are none. */
    public ByteBuf buffer() {
        return buf;
    }

    public boolean isReadable() {
        return buf != null && buf.isReadable();
    }

    /** After a decoding pass: a buffer read to its end is given up (a body slice of it holds its own reference). */
    public void releaseIfDrained() {
        if (buf != null && !buf.isReadable()) {
            buf.release();
            buf = null;
        }
    }

    /** Between reads: makes room by dropping decoded bytes, unless a slice of the buffer is still held. */
    public void discardReadBytes() {
        if (buf != null && !first && buf.refCnt() == 1) {
            buf.discardSomeReadBytes();
        }
    }

    /** Hands over the bytes kept, leaving none; null when there are none. */
    public ByteBuf take() {
        ByteBuf b = buf;
        buf = null;
        return b;
    }

    /**
     * A codec leaving the pipeline (for a tunnel, after a 101): the bytes read and not decoded go on to the handler
     * after it, as one read; none kept, or none left, goes nowhere.
     */
    public void handOnRest(ChannelHandlerContext ctx) {
        ByteBuf rest = take();
        if (rest == null) {
            return;
        }
        if (rest.isReadable()) {
            ctx.fireChannelRead(rest);
            ctx.fireChannelReadComplete();
        } else {
            rest.release();
        }
    }

    public void release() {
        if (buf != null) {
            buf.release();
            buf = null;
        }
    }
}
