package dev.bascule.trace;

/**
 * A 128-bit id read as its 32 lowercase hex digits, made on demand: one small object per request instead of a byte
 * array and a string, since the digits are only read when the id is written into a head or a log line.
 *
 * <p>Immutable; safe to share between threads.
 */
public final class HexId implements CharSequence {
    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private final long high;
    private final long low;

    public HexId(long high, long low) {
        this.high = high;
        this.low = low;
    }

    @Override
    public int length() {
        return RequestIds.LENGTH;
    }

    @Override
    public char charAt(int index) {
        if (index < 0 || index >= RequestIds.LENGTH) {
            throw new IndexOutOfBoundsException(index);
        }
        long v = index < 16 ? high : low;
        return DIGITS[(int) (v >>> ((15 - (index & 15)) * 4)) & 0xf];
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return toString().subSequence(start, end);
    }

    @Override
    public String toString() {
        byte[] digits = new byte[RequestIds.LENGTH];
        RequestIds.write(digits, high, low);
        return new String(digits, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** Equal to another id of the same bits; compare with a String through {@link #toString}. */
    @Override
    public boolean equals(Object o) {
        return o instanceof HexId other && other.high == high && other.low == low;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(high) * 31 + Long.hashCode(low);
    }
}
