package dev.bascule.upstream;

/**
 * Reads one cookie's value out of a Cookie header (RFC 6265 5.4) without parsing the rest: what a hash balancer
 * with {@code hash_key: { cookie: NAME }} hashes ({@link AffinityKey}), on the data plane and in explain alike.
 *
 * <p>Stateless.
 */
public final class Cookies {
    private Cookies() {}

    /** @return the value of cookie {@code name}, or null when the header is absent or lacks it */
    public static String value(String header, String name) {
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
