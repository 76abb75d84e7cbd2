package dev.bascule.testing;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Unpooled buffers that remember themselves, so a buffer still referenced when a parser harness is done is caught for
 * the very input that leaked it (Netty's leak detector only reports after a GC, for some later input).
 *
 * <p>Threading: one harness run, one thread.
 */
public final class TrackingAllocator extends AbstractByteBufAllocator {
    private final List<ByteBuf> allocated = new ArrayList<>();

    public TrackingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return track(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return track(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
        return track(super.compositeHeapBuffer(maxNumComponents));
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
        return track(super.compositeDirectBuffer(maxNumComponents));
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    private <T extends ByteBuf> T track(T buf) {
        allocated.add(Objects.requireNonNull(buf));
        return buf;
    }

    /** Throws when a buffer this allocator made is still referenced, naming the input it was made for. */
    public void assertAllReleased(byte[] input) {
        for (ByteBuf b : allocated) {
            if (b.refCnt() != 0) {
                throw new AssertionError("buffer not released (refCnt " + b.refCnt() + ", " + b.capacity()
                        + " bytes) for input " + Bytes.quote(input));
            }
        }
    }
}
