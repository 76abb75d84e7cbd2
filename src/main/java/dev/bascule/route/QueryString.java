package dev.bascule.route;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads one parameter of a request target's query the way a browser writes a form (WHATWG URL standard,
 * "application/x-www-form-urlencoded parsing"): the query (after {@code ?}, before any {@code #}) is split on
 * {@code &}; each part on its first {@code =} (no {@code =}: the value is empty); {@code +} is a space and
 * {@code %XX} the byte XX, while a {@code %} not followed by two hex digits stays as written. Names and values
 * are compared as the UTF-8 bytes they decode to; only the first parameter of a name counts, as nginx's
 * {@code $arg_NAME} reads it. The target is expected in ASCII, as the proxy accepts it; any other character
 * never matches.
 *
 * <p>Stateless. {@link #firstEquals} decodes while comparing and allocates nothing.
 */
public final class QueryString {
    private QueryString() {}

    /**
     * Whether the first parameter named {@code name} in {@code target}'s query has the value {@code value}.
     *
     * @param name the parameter name in UTF-8, decoded
     * @param value the value in UTF-8, decoded
     */
    public static boolean firstEquals(CharSequence target, byte[] name, byte[] value) {
        int end = queryEnd(target);
        for (int i = queryStart(target, end); i >= 0 && i <= end; ) {
            int amp = indexOf(target, '&', i, end);
            if (amp > i) {
                int eq = indexOf(target, '=', i, amp);
                if (decodedEquals(target, i, eq, name)) {
                    return decodedEquals(target, eq < amp ? eq + 1 : amp, amp, value);
                }
            }
            i = amp + 1;
        }
        return false;
    }

    /**
     * The decoded value of the first parameter named {@code name}, or null when there is none; for explaining
     * a match, not for the data plane (it allocates).
     */
    public static String first(CharSequence target, String name) {
        byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
        int end = queryEnd(target);
        for (int i = queryStart(target, end); i >= 0 && i <= end; ) {
            int amp = indexOf(target, '&', i, end);
            if (amp > i) {
                int eq = indexOf(target, '=', i, amp);
                if (decodedEquals(target, i, eq, wanted)) {
                    return decode(target, eq < amp ? eq + 1 : amp, amp);
                }
            }
            i = amp + 1;
        }
        return null;
    }

    /** Where the query ends: at a fragment, else at the end of the target. */
    private static int queryEnd(CharSequence target) {
        return indexOf(target, '#', 0, target.length());
    }

    /** The first index of the query, or -1 when the target has none. */
    private static int queryStart(CharSequence target, int end) {
        int q = indexOf(target, '?', 0, end);
        return q < end ? q + 1 : -1;
    }

    /** The first index of {@code c} in {@code [from, to)}, or {@code to}. */
    private static int indexOf(CharSequence s, char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return to;
    }

    private static boolean decodedEquals(CharSequence s, int from, int to, byte[] expected) {
        int k = 0;
        int i = from;
        while (i < to) {
            int b;
            char c = s.charAt(i);
            if (c == '+') {
                b = ' ';
                i++;
            } else if (c == '%' && escaped(s, i, to)) {
                b = Character.digit(s.charAt(i + 1), 16) << 4 | Character.digit(s.charAt(i + 2), 16);
                i += 3;
            } else if (c < 0x80) {
                b = c;
                i++;
            } else {
                return false;
            }
            if (k >= expected.length || (expected[k] & 0xff) != b) {
                return false;
            }
            k++;
        }
        return k == expected.length;
    }

    /** Whether a {@code %} at {@code i} is followed by two hex digits before {@code to}. */
    private static boolean escaped(CharSequence s, int i, int to) {
        return i + 2 < to && hex(s.charAt(i + 1)) && hex(s.charAt(i + 2));
    }

    private static boolean hex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static String decode(CharSequence s, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        int i = from;
        while (i < to) {
            char c = s.charAt(i);
            if (c == '+') {
                out.write(' ');
                i++;
            } else if (c == '%' && escaped(s, i, to)) {
                out.write(Character.digit(s.charAt(i + 1), 16) << 4 | Character.digit(s.charAt(i + 2), 16));
                i += 3;
            } else {
                out.write(c < 0x80 ? c : '?');
                i++;
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
