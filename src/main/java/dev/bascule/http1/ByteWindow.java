package dev.bascule.http1;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * The readable bytes of a decoder's cumulated buffer seen as a {@code byte[]}, for parsing with plain array reads
 * rather than a bounds-checked {@code getByte} per byte. A heap buffer is read in place; a direct one is copied, as
 * far as the parser asks and no further (a body in the same read is not copied), into an array shared by the
 * event loop's connections. That array is valid during one {@code decode} call only: a decoder that resumes a head
 * on the next read {@link #open}s the window again, which copies the bytes anew from the buffer's reader index.
 *
 * <p>Positions are relative to the buffer's reader index at {@link #open}.
 *
 * <p>Threading: one instance per decoder, used on its channel's event loop; the shared array is per thread.
 */
final class ByteWindow {
    private static final int FIRST_COPY = 512;
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[4096];
        }
    };

    private ByteBuf in;
    private boolean heap;
    /** The array the bytes are read from, and where the buffer's reader index is in it. */
    byte[] bytes;
    int base;
    /** How many bytes from the reader index {@link #bytes} holds. */
    private int available;
    private int readable;

    void open(ByteBuf buf) {
        in = buf;
        readable = buf.readableBytes();
        heap = buf.hasArray();
        if (heap) {
            bytes = buf.array();
            base = buf.arrayOffset() + buf.readerIndex();
            available = readable;
        } else {
            bytes = SCRATCH.get();
            base = 0;
            available = 0;
        }
    }

    /** Lets go of the buffer (the shared array stays with the thread). */
    void close() {
        in = null;
        bytes = null;
    }

    int readable() {
        return readable;
    }

    /** Makes the bytes up to {@code end} (exclusive, at most {@link #readable}) readable in {@link #bytes}. */
    void ensure(int end) {
        if (end <= available) {
            return;
        }
        byte[] b = bytes;
        if (b.length < end) {
            byte[] larger = new byte[Math.max(end, b.length * 2)];
            System.arraycopy(b, 0, larger, 0, available);
            SCRATCH.set(larger);
            bytes = larger;
        }
        in.getBytes(in.readerIndex() + available, bytes, available, end - available);
        available = end;
    }

    /** The first LF in {@code [from, to)}, or -1; copies in steps so a long body behind a short head stays put. */
    int indexOfLf(int from, int to) {
        int i = from;
        while (i < to) {
            if (i >= available) {
                ensure(Math.min(to, Math.max(i + FIRST_COPY, available * 2)));
            }
            byte[] b = bytes;
            int stop = Math.min(to, available) + base;
            for (int k = i + base; k < stop; k++) {
                if (b[k] == '\n') {
                    return k - base;
                }
            }
            i = stop - base;
        }
        return -1;
    }

    /** The byte at {@code at}, which must have been made readable. */
    byte at(int at) {
        return bytes[base + at];
    }

    /** Copies {@code length} bytes from {@code from} to the start of {@code out}. */
    void copy(int from, int length, byte[] out) {
        if (from + length <= available) {
            System.arraycopy(bytes, base + from, out, 0, length);
        } else {
            in.getBytes(in.readerIndex() + from, out, 0, length);
        }
    }
}
