package dev.bascule.http1;

import io.netty.util.AsciiString;

/**
 * Membership in a comma-separated field value (RFC 9110 5.6.1), read from its bytes: {@code Connection: keep-alive,
 * Upgrade} lists {@code upgrade}. Members are trimmed of OWS. This is what Netty's {@code HttpHeaders.containsValue}
 * does over Strings, done without making one.
 *
 * <p>Threading: stateless.
 */
final class FieldLists {
    private FieldLists() {}

    /** Whether {@code b[from, to)} lists {@code member}, compared ignoring ASCII case when {@code ignoreCase}. */
    static boolean listsMember(byte[] b, int from, int to, CharSequence member, boolean ignoreCase) {
        for (int start = from; start <= to; ) {
            int end = memberEnd(b, start, to);
            int s = trimStart(b, start, end);
            int e = trimEnd(b, s, end);
            if (e - s == member.length() && regionIs(b, s, member, ignoreCase)) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }

    /** Where the member starting at {@code start} ends: its comma, or {@code to}. */
    private static int memberEnd(byte[] b, int start, int to) {
        int end = start;
        while (end < to && b[end] != ',') {
            end++;
        }
        return end;
    }

    /** The first byte of {@code b[s, e)} after its leading OWS. */
    private static int trimStart(byte[] b, int s, int e) {
        while (s < e && isSpace(b[s])) {
            s++;
        }
        return s;
    }

    /** The end of {@code b[s, e)} before its trailing OWS. */
    private static int trimEnd(byte[] b, int s, int e) {
        while (e > s && isSpace(b[e - 1])) {
            e--;
        }
        return e;
    }

    /**
     * Whether every member of {@code b[from, to)} is one of {@code allowed} (ignoring ASCII case); empty members,
     * which RFC 9110 5.6.1 tells recipients to ignore, count as allowed.
     */
    static boolean onlyMembers(byte[] b, int from, int to, AsciiString[] allowed) {
        for (int start = from; start <= to; ) {
            int end = memberEnd(b, start, to);
            int s = trimStart(b, start, end);
            int e = trimEnd(b, s, end);
            if (e > s && !oneOf(b, s, e - s, allowed)) {
                return false;
            }
            start = end + 1;
        }
        return true;
    }

    private static boolean oneOf(byte[] b, int from, int length, AsciiString[] allowed) {
        for (AsciiString a : allowed) {
            if (a.length() == length && regionIs(b, from, a, true)) {
                return true;
            }
        }
        return false;
    }

    private static boolean regionIs(byte[] b, int from, CharSequence s, boolean ignoreCase) {
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            byte x = b[from + k];
            if (c > 0xff) {
                return false;
            }
            boolean same = ignoreCase ? sameIgnoringCase(x, (byte) c) : x == (byte) c;
            if (!same) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t';
    }

    /** Whether {@code b[start, start + length)} is the field name {@code name}, ignoring ASCII case. */
    static boolean regionNames(byte[] b, int start, int length, CharSequence name) {
        if (length != name.length()) {
            return false;
        }
        if (name instanceof AsciiString a) {
            byte[] other = a.array();
            int offset = a.arrayOffset();
            for (int k = 0; k < length; k++) {
                if (!sameIgnoringCase(b[start + k], other[offset + k])) {
                    return false;
                }
            }
            return true;
        }
        for (int k = 0; k < length; k++) {
            char c = name.charAt(k);
            if (c > 0x7f || !sameIgnoringCase(b[start + k], (byte) c)) {
                return false;
            }
        }
        return true;
    }

    /** Whether two bytes are the same letter in either case, or the same byte. */
    static boolean sameIgnoringCase(byte a, byte b) {
        if (a == b) {
            return true;
        }
        int x = a | 0x20;
        return x == (b | 0x20) && x >= 'a' && x <= 'z';
    }
}
