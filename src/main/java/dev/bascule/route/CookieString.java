package dev.bascule.route;

/**
 * Reads one cookie of a Cookie field (RFC 6265 5.4: {@code name=value} pairs separated by {@code ;}) by
 * scanning it, without parsing the rest: whitespace around names and values is skipped, a value in double
 * quotes is read without them, a pair without {@code =} is skipped, and only the first cookie of a name counts
 * (as nginx's {@code $cookie_NAME}). Names are case-sensitive; values are compared as sent, with no decoding.
 *
 * <p>Stateless. {@link #firstEquals} allocates nothing.
 */
public final class CookieString {
    private CookieString() {}

    /** Whether the first cookie named {@code name} in {@code header} has exactly {@code value}. */
    public static boolean firstEquals(CharSequence header, String name, String value) {
        if (header == null) {
            return false;
        }
        long span = find(header, name);
        if (span < 0) {
            return false;
        }
        int start = (int) (span >>> 32);
        int end = (int) span;
        if (end - start != value.length()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            if (header.charAt(start + i) != value.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The value of the first cookie named {@code name}, or null; for explaining a match (it allocates). */
    public static String first(CharSequence header, String name) {
        if (header == null) {
            return null;
        }
        long span = find(header, name);
        return span < 0 ? null : header.subSequence((int) (span >>> 32), (int) span).toString();
    }

    /** The value's start (high 32 bits) and end (low 32 bits) of the first cookie named {@code name}, or -1. */
    private static long find(CharSequence h, String name) {
        int len = h.length();
        int i = 0;
        while (i < len) {
            int semi = i;
            while (semi < len && h.charAt(semi) != ';') {
                semi++;
            }
            int eq = i;
            while (eq < semi && h.charAt(eq) != '=') {
                eq++;
            }
            if (eq < semi) {
                int ns = skipSpace(h, i, eq);
                int ne = trimSpace(h, ns, eq);
                if (ne - ns == name.length() && regionEquals(h, ns, name)) {
                    int vs = skipSpace(h, eq + 1, semi);
                    int ve = trimSpace(h, vs, semi);
                    if (ve - vs >= 2 && h.charAt(vs) == '"' && h.charAt(ve - 1) == '"') {
                        vs++;
                        ve--;
                    }
                    return (long) vs << 32 | ve;
                }
            }
            i = semi + 1;
        }
        return -1;
    }

    private static int skipSpace(CharSequence h, int from, int to) {
        while (from < to && (h.charAt(from) == ' ' || h.charAt(from) == '\t')) {
            from++;
        }
        return from;
    }

    private static int trimSpace(CharSequence h, int from, int to) {
        while (to > from && (h.charAt(to - 1) == ' ' || h.charAt(to - 1) == '\t')) {
            to--;
        }
        return to;
    }

    private static boolean regionEquals(CharSequence h, int at, String name) {
        for (int i = 0; i < name.length(); i++) {
            if (h.charAt(at + i) != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
