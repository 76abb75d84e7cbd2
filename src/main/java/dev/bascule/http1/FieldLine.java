package dev.bascule.http1;

/**
 * The checks on one field line of a request head or trailer section (RFC 9112 5, RFC 9110 5.5), made on the
 * line's bytes in one pass: a name of token characters (RFC 9110 5.6.2) right before the colon (no whitespace
 * there, RFC 9112 5.1), a value of field-content (no control character but HTAB, no DEL; obs-text allowed) with
 * the OWS around it outside the offsets recorded. A line that starts with a space or tab is refused: obs-fold, or
 * whitespace before the first field, is rejected (RFC 9112 5.2, 2.2) where a lenient parser would join the lines.
 *
 * <p>Threading: stateless.
 */
final class FieldLine {
    /** Result bits of {@link #check}: the name has an underscore or two hyphens in a row. */
    static final int ODD_NAME = 1;
    /** Result bits of {@link #check}: the name is Content-Length, Transfer-Encoding, Trailer, Sec-WebSocket-Key1/2. */
    static final int CONTENT_LENGTH = 2;
    static final int TRANSFER_ENCODING = 4;
    static final int TRAILER = 8;
    static final int WEBSOCKET_KEY = 16;

    /** tchar of RFC 9110 5.6.2. */
    private static final boolean[] TCHAR = new boolean[256];

    static {
        for (int c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 'a' + 'A'] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
    }

    private static final byte[] CONTENT_LENGTH_NAME = ascii("content-length");
    private static final byte[] TRANSFER_ENCODING_NAME = ascii("transfer-encoding");
    private static final byte[] TRAILER_NAME = ascii("trailer");
    private static final byte[] KEY1_NAME = ascii("sec-websocket-key1");
    private static final byte[] KEY2_NAME = ascii("sec-websocket-key2");

    private FieldLine() {
    }

    static boolean tchar(int b) {
        return TCHAR[b & 0xFF];
    }

    /**
     * Checks the field line {@code a[from, to)} (its CRLF excluded) and writes its name start, name end, value start
     * and value end (OWS excluded) at {@code offsets[at, at + 4)}, each plus {@code shift}.
     *
     * @return a negative number when the line is refused (see {@link #problem}), else the result bits
     */
    static int check(byte[] a, int from, int to, int[] offsets, int at, int shift) {
        int b = a[from];
        if (b == ' ' || b == '\t') {
            return -1;
        }
        int bits = 0;
        boolean hyphen = false;
        int i = from;
        while (i < to && (b = a[i]) != ':') {
            if (!TCHAR[b & 0xFF]) {
                return -2;
            }
            if (b == '_' || b == '-' && hyphen) {
                bits = ODD_NAME;
            }
            hyphen = b == '-';
            i++;
        }
        if (i == to) {
            return -3;
        }
        if (i == from) {
            return -4;
        }
        int nameEnd = i++;
        while (i < to && ((b = a[i]) == ' ' || b == '\t')) {
            i++;
        }
        int valueStart = i;
        int valueEnd = i;
        for (; i < to; i++) {
            b = a[i] & 0xFF;
            if (b < 0x20 && b != '\t' || b == 0x7F) {
                return -5;
            }
            if (b != ' ' && b != '\t') {
                valueEnd = i + 1;
            }
        }
        offsets[at] = from + shift;
        offsets[at + 1] = nameEnd + shift;
        offsets[at + 2] = valueStart + shift;
        offsets[at + 3] = valueEnd + shift;
        return bits | known(a, from, nameEnd - from);
    }

    /** Why {@link #check} refused a line, from its negative result. */
    static String problem(int code) {
        return switch (code) {
            case -1 -> "obsolete line folding or whitespace before a header field";
            case -2 -> "invalid character in a header name";
            case -3 -> "header line without a colon";
            case -4 -> "empty header name";
            default -> "invalid character in a header value";
        };
    }

    private static int known(byte[] a, int from, int length) {
        return switch (length) {
            case 7 -> named(a, from, TRAILER_NAME) ? TRAILER : 0;
            case 14 -> named(a, from, CONTENT_LENGTH_NAME) ? CONTENT_LENGTH : 0;
            case 17 -> named(a, from, TRANSFER_ENCODING_NAME) ? TRANSFER_ENCODING : 0;
            case 18 -> named(a, from, KEY1_NAME) || named(a, from, KEY2_NAME) ? WEBSOCKET_KEY : 0;
            default -> 0;
        };
    }

    /** Whether {@code a[from, from + lower.length)} is {@code lower}, ignoring ASCII case. */
    static boolean named(byte[] a, int from, byte[] lower) {
        for (int k = 0; k < lower.length; k++) {
            int b = a[from + k];
            if (b >= 'A' && b <= 'Z') {
                b += 32;
            }
            if (b != lower[k]) {
                return false;
            }
        }
        return true;
    }

    static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
