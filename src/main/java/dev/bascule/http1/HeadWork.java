package dev.bascule.http1;

import io.netty.util.concurrent.FastThreadLocal;
import java.util.Arrays;

/**
 * The working state of a request decoder while it reads one head or trailer section: field offsets, line ends, a
 * byte scratch and the request line. A decoder holds a set only between a section's first byte and its end; in between it gives the
 * set back to its thread's spare, and the next section read on that thread, on any connection, takes it. An idle
 * keep-alive connection therefore holds none (they are some 700 bytes), and a busy thread allocates none per
 * request.
 *
 * <p>Threading: a set belongs to one decoder at a time; the spare is per thread (an event loop's decoders, or a
 * test's).
 */
final class HeadWork {
    private static final FastThreadLocal<HeadWork[]> SPARE = new FastThreadLocal<>() {
        @Override
        protected HeadWork[] initialValue() {
            return new HeadWork[1];
        }
    };

    private static final int[] NO_OFFSETS = new int[0];

    /** Four offsets per field; grown as needed, kept grown (bounded by the header size limit). */
    int[] offsets = new int[64];
    int[] lineEnds = new int[32];
    /** The request line of the head being read. */
    final RequestLine line = new RequestLine();
    /** The head's Content-Length and Transfer-Encoding fields, by index; -1 for none. */
    int contentLengthField = -1;
    int transferEncodingField = -1;
    /** A Sec-WebSocket-Key1 or -Key2 field was seen (a draft-76 handshake, whose body Netty reads as 8 bytes). */
    boolean webSocketKey;
    private byte[] scratch = new byte[256];

    private HeadWork() {
    }

    /** Forgets the head read, for the next one. */
    void clear() {
        line.clear();
        contentLengthField = -1;
        transferEncodingField = -1;
        webSocketKey = false;
    }

    /** This thread's spare set, or a new one when another decoder on it holds the spare. */
    static HeadWork take() {
        HeadWork[] spare = SPARE.get();
        HeadWork w = spare[0];
        if (w == null) {
            return new HeadWork();
        }
        spare[0] = null;
        return w;
    }

    /** Gives a set back to this thread's spare; the caller must not touch it afterwards. */
    static void giveBack(HeadWork w) {
        HeadWork[] spare = SPARE.get();
        if (spare[0] == null) {
            spare[0] = w;
        }
    }

    int[] offsetsFor(int slots) {
        if (slots > offsets.length) {
            offsets = Arrays.copyOf(offsets, Math.max(slots, offsets.length * 2));
        }
        return offsets;
    }

    /**
     * The first {@code slots} offsets, for headers that keep them (Http1Headers never changes them): in {@code
     * into} when it is large enough, else in a new array.
     */
    int[] offsetsCopy(int slots, int[] into) {
        if (into != null && into.length >= slots) {
            System.arraycopy(offsets, 0, into, 0, slots);
            return into;
        }
        return slots == 0 ? NO_OFFSETS : Arrays.copyOf(offsets, slots);
    }

    int[] lineEndsFor(int lines) {
        if (lines > lineEnds.length) {
            lineEnds = Arrays.copyOf(lineEnds, Math.max(lines, lineEnds.length * 2));
        }
        return lineEnds;
    }

    byte[] scratch(int length) {
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, scratch.length * 2)];
        }
        return scratch;
    }
}
