package dev.bascule.explain;

/**
 * Reads one cookie's value out of a Cookie header (RFC 6265 5.4), exactly as the proxy does when a pool hashes on
 * a cookie ({@code hash_key: cookie:NAME}). It repeats {@code proxy.Cookies}, which is package-private to the data
 * plane; {@code CookieValueTest} pins the same cases, so the two cannot drift apart unnoticed.
 *
 * <p>Stateless.
 */
final class CookieValue {
    private CookieValue() {}

    /** @return the value of cookie {@code name}, or null when the header is absent or lacks it */
    static String of(String header, String name) {
        if (header == null) {
            return null;
        }
        int i = 0;
        int len = header.length();
        while (i < len) {
            while (i < len && (header.charAt(i) == ' ' || header.charAt(i) == ';')) {
                i++;
            }
            int eq = header.indexOf('=', i);
            int semi = header.indexOf(';', i);
            if (semi < 0) {
                semi = len;
            }
            if (eq < 0 || eq > semi) {
                i = semi + 1;
                continue;
            }
            if (eq - i == name.length() && header.regionMatches(i, name, 0, name.length())) {
                int start = eq + 1;
                int end = semi;
                if (end - start >= 2 && header.charAt(start) == '"' && header.charAt(end - 1) == '"') {
                    start++;
                    end--;
                }
                return header.substring(start, end);
            }
            i = semi + 1;
        }
        return null;
    }
}
