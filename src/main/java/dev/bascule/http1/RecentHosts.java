package dev.bascule.http1;

import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The {@code Host} values last made Strings on this thread, so that the requests to one site share one String
 * rather than each making its own: every request's Host is read (to route it, and for its record), and a proxy's
 * requests name few hosts. A small table indexed by a hash of the bytes; a value that misses replaces the one in
 * its slot, so a client sending many hosts costs a comparison and a copy more per request, no more memory.
 *
 * <p>Threading: one table per thread; the Strings it hands out are immutable and go anywhere.
 */
final class RecentHosts {
    /** Slots per thread, a power of two. */
    private static final int SLOTS = 32;
    /** A longer value is made a String of its own, not kept. */
    private static final int LONGEST = 128;
    private static final FastThreadLocal<RecentHosts> OF_THREAD = new FastThreadLocal<>() {
        @Override
        protected RecentHosts initialValue() {
            return new RecentHosts();
        }
    };

    private final byte[][] bytes = new byte[SLOTS][];
    private final String[] strings = new String[SLOTS];

    private RecentHosts() {}

    /** {@code b[from, to)} as a String (Latin-1, as every received value), shared with the last request that sent it. */
    static String of(byte[] b, int from, int to) {
        int length = to - from;
        if (length > LONGEST) {
            return new String(b, from, length, StandardCharsets.ISO_8859_1);
        }
        int h = length;
        for (int k = from; k < to; k++) {
            h = 31 * h + b[k];
        }
        int slot = (h ^ (h >>> 16)) & (SLOTS - 1);
        RecentHosts recent = OF_THREAD.get();
        byte[] kept = recent.bytes[slot];
        if (kept != null && Arrays.equals(kept, 0, kept.length, b, from, to)) {
            return recent.strings[slot];
        }
        String s = new String(b, from, length, StandardCharsets.ISO_8859_1);
        recent.bytes[slot] = Arrays.copyOfRange(b, from, to);
        recent.strings[slot] = s;
        return s;
    }
}
