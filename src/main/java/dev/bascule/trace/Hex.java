package dev.bascule.trace;

/** Lowercase hexadecimal, read from and written to ASCII characters without allocating. Stateless. */
final class Hex {
    private static final byte[] DIGITS = {
        '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'
    };

    private Hex() {}

    /** Writes {@code value} as 16 lowercase hex digits at {@code offset}. */
    static void write(long value, byte[] dst, int offset) {
        for (int i = 15; i >= 0; i--) {
            dst[offset + i] = DIGITS[(int) value & 0xf];
            value >>>= 4;
        }
    }

    /** The value of a lowercase hex digit; -1 for anything else, upper case included. */
    static int digit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -1;
    }

    /** Whether {@code count} characters from {@code start} are all lowercase hex digits. */
    static boolean isLowerHex(CharSequence s, int start, int count) {
        for (int i = start; i < start + count; i++) {
            if (digit(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Reads 16 lowercase hex digits from {@code start}, which {@link #isLowerHex} has checked. */
    static long read(CharSequence s, int start) {
        long value = 0;
        for (int i = start; i < start + 16; i++) {
            value = (value << 4) | digit(s.charAt(i));
        }
        return value;
    }
}
