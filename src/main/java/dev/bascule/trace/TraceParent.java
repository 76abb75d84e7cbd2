package dev.bascule.trace;

/**
 * The W3C Trace Context {@code traceparent} field (https://www.w3.org/TR/trace-context/ section 3.2):
 * {@code version "-" trace-id "-" parent-id "-" trace-flags}, all lowercase hex, for example {@code
 * 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01}. Read in place with {@code charAt}, so checking a
 * received value allocates nothing; written as ASCII bytes into the caller's array.
 *
 * <p>What counts as valid (3.2.2, and 3.2.4 "Versioning of traceparent"): a version of two lowercase hex digits
 * other than {@code ff}; a 32-digit trace id and a 16-digit parent id, neither all zeros; two digits of flags.
 * Version {@code 00} is exactly 55 characters. A higher version is read with the same layout, must be at least 55
 * characters, and may continue only after a dash; what follows is not read, and the value sent on is version
 * {@code 00}. Only the {@code sampled} flag (bit 0) is read; the others are not sent on (3.2.2.5.2: reserved,
 * "Vendors MUST set those to zero").
 *
 * <p>Stateless.
 */
public final class TraceParent {
    /** Length of a version 00 value, the only one written. */
    public static final int LENGTH = 55;
    private static final int TRACE_ID = 3;
    private static final int PARENT_ID = 36;
    private static final int FLAGS = 53;
    private static final int SAMPLED = 0x01;

    private TraceParent() {}

    /** Whether {@code value} is a traceparent this class can read; the accessors below need one. */
    public static boolean isValid(CharSequence value) {
        if (value == null || value.length() < LENGTH) {
            return false;
        }
        if (!Hex.isLowerHex(value, 0, 2) || value.charAt(0) == 'f' && value.charAt(1) == 'f') {
            return false;
        }
        boolean version00 = value.charAt(0) == '0' && value.charAt(1) == '0';
        if (version00 ? value.length() != LENGTH : value.length() > LENGTH && value.charAt(LENGTH) != '-') {
            return false;
        }
        return value.charAt(2) == '-' && value.charAt(TRACE_ID + 32) == '-' && value.charAt(PARENT_ID + 16) == '-'
                && Hex.isLowerHex(value, TRACE_ID, 32) && Hex.isLowerHex(value, PARENT_ID, 16)
                && Hex.isLowerHex(value, FLAGS, 2)
                && (Hex.read(value, TRACE_ID) != 0 || Hex.read(value, TRACE_ID + 16) != 0)
                && Hex.read(value, PARENT_ID) != 0;
    }

    /** The first 8 bytes of the trace id of a {@linkplain #isValid valid} value. */
    public static long traceIdHigh(CharSequence value) {
        return Hex.read(value, TRACE_ID);
    }

    /** The last 8 bytes of the trace id of a {@linkplain #isValid valid} value. */
    public static long traceIdLow(CharSequence value) {
        return Hex.read(value, TRACE_ID + 16);
    }

    /** The caller's span id (parent-id) of a {@linkplain #isValid valid} value. */
    public static long parentId(CharSequence value) {
        return Hex.read(value, PARENT_ID);
    }

    /** Whether the caller may have recorded its part of the trace: the {@code sampled} flag of a valid value. */
    public static boolean sampled(CharSequence value) {
        return (Hex.digit(value.charAt(FLAGS + 1)) & SAMPLED) != 0;
    }

    /** Writes a version 00 traceparent, {@link #LENGTH} ASCII bytes, at the start of {@code dst}. */
    public static void write(byte[] dst, long traceIdHigh, long traceIdLow, long spanId, boolean sampled) {
        dst[0] = '0';
        dst[1] = '0';
        dst[2] = '-';
        Hex.write(traceIdHigh, dst, TRACE_ID);
        Hex.write(traceIdLow, dst, TRACE_ID + 16);
        dst[TRACE_ID + 32] = '-';
        Hex.write(spanId, dst, PARENT_ID);
        dst[PARENT_ID + 16] = '-';
        dst[FLAGS] = '0';
        dst[FLAGS + 1] = (byte) (sampled ? '1' : '0');
    }
}
