package dev.bascule.balance;

/**
 * The 64-bit hash behind request affinity: the data plane turns a client address, header value or cookie into
 * {@link PickContext#affinityHash()} with it, and {@link Hash} places its ring points with it.
 *
 * <p>An xxHash64-style single-lane hash over the UTF-8 bytes of the input, finished with xxHash's avalanche.
 * It is written out here rather than taken from {@link String#hashCode()} because affinity must survive a
 * restart and agree across every proxy of a fleet: the function and its seed are fixed, and changing either
 * moves every sticky client.
 *
 * <p>Threading: stateless; every method is safe from any thread and allocates nothing.
 */
public final class AffinityHash {
    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P3 = 0x165667B19E3779F9L;
    private static final long P4 = 0x85EBCA77C2B2AE63L;
    private static final long P5 = 0x27D4EB2F165667C5L;
    private static final long SEED = 0x0062_6173_6375_6C65L; // "bascule" in ASCII

    private AffinityHash() {}

    /**
     * Hashes the UTF-8 encoding of {@code text} without materializing it, so that
     * {@code hash64(s) == hash64(s.getBytes(UTF_8))} for every string, unpaired surrogates included (both
     * encode them as {@code '?'}).
     */
    public static long hash64(CharSequence text) {
        long h = SEED + P5;
        long word = 0;
        int filled = 0;
        long length = 0;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            int packed;
            int count;
            if (c < 0x80) {
                packed = c;
                count = 1;
            } else if (c < 0x800) {
                packed = (0xC0 | c >>> 6) | (0x80 | c & 0x3F) << 8;
                count = 2;
            } else if (!Character.isSurrogate(c)) {
                packed = (0xE0 | c >>> 12) | (0x80 | c >>> 6 & 0x3F) << 8 | (0x80 | c & 0x3F) << 16;
                count = 3;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, text.charAt(++i));
                packed = (0xF0 | cp >>> 18)
                        | (0x80 | cp >>> 12 & 0x3F) << 8
                        | (0x80 | cp >>> 6 & 0x3F) << 16
                        | (0x80 | cp & 0x3F) << 24;
                count = 4;
            } else {
                packed = '?';
                count = 1;
            }
            for (int b = 0; b < count; b++) {
                word |= (long) (packed >>> (b << 3) & 0xFF) << (filled << 3);
                if (++filled == 8) {
                    h = round(h, word);
                    word = 0;
                    filled = 0;
                }
            }
            length += count;
        }
        return finish(h, word, filled, length);
    }

    /** Hashes all of {@code bytes}; equal to {@link #hash64(CharSequence)} of the string they encode in UTF-8. */
    public static long hash64(byte[] bytes) {
        return hash64(bytes, 0, bytes.length);
    }

    /** Hashes {@code length} bytes of {@code bytes} from {@code offset}. */
    public static long hash64(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < 0 || offset > bytes.length - length) {
            throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + ", size " + bytes.length);
        }
        long h = SEED + P5;
        int i = offset;
        int end = offset + length;
        for (; end - i >= 8; i += 8) {
            long word = 0;
            for (int b = 0; b < 8; b++) {
                word |= (bytes[i + b] & 0xFFL) << (b << 3);
            }
            h = round(h, word);
        }
        long word = 0;
        int filled = 0;
        for (; i < end; i++, filled++) {
            word |= (bytes[i] & 0xFFL) << (filled << 3);
        }
        return finish(h, word, filled, length);
    }

    private static long round(long h, long word) {
        long k = Long.rotateLeft(word * P2, 31) * P1;
        return Long.rotateLeft(h ^ k, 27) * P1 + P4;
    }

    private static long finish(long h, long word, int filled, long length) {
        if (filled > 0) {
            h = Long.rotateLeft(h ^ word * P5, 11) * P1;
        }
        // Mixing the length in keeps "a" and "a\0" apart: both leave the same partial word.
        h += length * P3;
        h ^= h >>> 33;
        h *= P2;
        h ^= h >>> 29;
        h *= P3;
        h ^= h >>> 32;
        return h;
    }
}
