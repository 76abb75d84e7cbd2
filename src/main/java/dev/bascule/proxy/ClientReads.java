package dev.bascule.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;
import java.util.Arrays;

/**
 * How much each read of a client connection asks for: sized as Netty's adaptive allocator sizes it (2 KiB at
 * first, between 64 B and 64 KiB; up four steps after a read that filled its buffer, down one after two reads in a
 * row that would have fitted a step lower), at most {@link #MAX_READS_PER_LOOP} reads per read loop. Every
 * connection keeps its handle as long as it lives, idle or not, so the handle is one small object: 32 bytes,
 * against 112 for Netty's (its handle, its size calculator and a supplier object).
 *
 * <p>Immutable; each handle is confined to its connection's event loop.
 */
final class ClientReads implements RecvByteBufAllocator {
    /** Netty's default for stream channels. */
    static final int MAX_READS_PER_LOOP = 16;
    /** Buffer sizes: 16 to 496 in steps of 16, then the powers of two from 512. */
    private static final int[] SIZES;
    private static final int MIN_INDEX;
    private static final int INITIAL_INDEX;
    private static final int MAX_INDEX;
    private static final int STEPS_UP = 4;
    private static final int STEPS_DOWN = 1;

    static {
        int[] sizes = new int[31 + 23];
        int n = 0;
        for (int size = 16; size < 512; size += 16) {
            sizes[n++] = size;
        }
        for (int size = 512; size > 0 && size <= 1 << 30; size <<= 1) {
            sizes[n++] = size;
        }
        SIZES = Arrays.copyOf(sizes, n);
        MIN_INDEX = indexOf(64);
        INITIAL_INDEX = indexOf(2048);
        MAX_INDEX = indexOf(65536);
    }

    static final ClientReads INSTANCE = new ClientReads();

    private ClientReads() {}

    private static int indexOf(int size) {
        int i = Arrays.binarySearch(SIZES, size);
        if (i < 0) {
            throw new IllegalArgumentException("not a step: " + size);
        }
        return i;
    }

    @Override
    public Handle newHandle() {
        return new Sizing();
    }

    /** One connection's read sizing and the counts of its current read loop. */
    static final class Sizing implements ExtendedHandle {
        private ChannelConfig config;
        private byte index = (byte) INITIAL_INDEX;
        private boolean decreaseNow;
        private short reads;
        private int totalBytes;
        private int attempted;
        private int last;

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            return alloc.ioBuffer(guess());
        }

        @Override
        public int guess() {
            return SIZES[index];
        }

        @Override
        public void reset(ChannelConfig config) {
            this.config = config;
            reads = 0;
            totalBytes = 0;
        }

        @Override
        public void incMessagesRead(int numMessages) {
            reads = (short) Math.min(Short.MAX_VALUE, reads + numMessages);
        }

        @Override
        public void lastBytesRead(int bytes) {
            if (bytes == attempted) {
                // A read that filled its buffer: grow before the next one rather than after the loop.
                record(bytes);
            }
            last = bytes;
            if (bytes > 0) {
                totalBytes += bytes;
            }
        }

        @Override
        public int lastBytesRead() {
            return last;
        }

        @Override
        public void attemptedBytesRead(int bytes) {
            attempted = bytes;
        }

        @Override
        public int attemptedBytesRead() {
            return attempted;
        }

        @Override
        public boolean continueReading() {
            return continueReading(attempted == last);
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreData) {
            return continueReading(maybeMoreData.get());
        }

        private boolean continueReading(boolean maybeMoreData) {
            return config.isAutoRead() && maybeMoreData && reads < MAX_READS_PER_LOOP && totalBytes > 0;
        }

        @Override
        public void readComplete() {
            record(totalBytes < 0 ? Integer.MAX_VALUE : totalBytes);
        }

        private void record(int bytes) {
            if (bytes <= SIZES[Math.max(0, index - STEPS_DOWN)]) {
                if (decreaseNow) {
                    index = (byte) Math.max(index - STEPS_DOWN, MIN_INDEX);
                    decreaseNow = false;
                } else {
                    decreaseNow = true;
                }
            } else if (bytes >= SIZES[index]) {
                index = (byte) Math.min(index + STEPS_UP, MAX_INDEX);
                decreaseNow = false;
            }
        }
    }
}
