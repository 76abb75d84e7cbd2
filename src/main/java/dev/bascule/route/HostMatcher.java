package dev.bascule.route;

import java.util.Locale;

/**
 * Matches the host of a request against an exact name ({@code blue.labs.test}) or a leading wildcard
 * ({@code *.labs.test}, which matches {@code a.labs.test} and {@code a.b.labs.test} but not {@code labs.test},
 * as nginx's {@code server_name} does).
 *
 * <p>Immutable and thread-safe. Matching ignores case and a trailing {@code :port}, and allocates nothing.
 */
public final class HostMatcher {
    private final String pattern;
    /** For a wildcard, the suffix including its leading dot; for an exact name, the name. */
    private final String name;
    private final boolean wildcard;

    private HostMatcher(String pattern, String name, boolean wildcard) {
        this.pattern = pattern;
        this.name = name;
        this.wildcard = wildcard;
    }

    /** @throws IllegalArgumentException for an empty pattern or a wildcard anywhere but the front */
    public static HostMatcher of(String pattern) {
        String p = pattern.trim().toLowerCase(Locale.ROOT);
        if (p.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        if (p.startsWith("*.")) {
            String suffix = p.substring(1);
            if (suffix.length() < 2 || suffix.indexOf('*') >= 0) {
                throw new IllegalArgumentException("bad wildcard host '" + pattern + "'");
            }
            return new HostMatcher(p, suffix, true);
        }
        if (p.indexOf('*') >= 0) {
            throw new IllegalArgumentException("a wildcard is allowed only as a leading '*.' in '" + pattern + "'");
        }
        return new HostMatcher(p, p, false);
    }

    /**
     * @param host the Host header value as received, possibly with a port or in mixed case; null never matches
     */
    public boolean matches(CharSequence host) {
        if (host == null) {
            return false;
        }
        int end = hostEnd(host);
        if (end > 0 && host.charAt(end - 1) == '.') {
            end--; // a fully qualified "blue.labs.test." names the same host
        }
        if (wildcard) {
            // the part before the suffix must be non-empty: "*.labs.test" does not match "labs.test"
            return end > name.length() && regionEqualsIgnoreCase(host, end - name.length(), name);
        }
        return end == name.length() && regionEqualsIgnoreCase(host, 0, name);
    }

    /**
     * Length of the host part of a Host header: without {@code :port}, and keeping an IPv6 literal whole. What is
     * not a port ({@code a.test:80x}, {@code [::1]x}) stays part of the host, so it matches no pattern.
     */
    static int hostEnd(CharSequence host) {
        int len = host.length();
        if (len > 0 && host.charAt(0) == '[') {
            for (int i = 1; i < len; i++) {
                if (host.charAt(i) == ']') {
                    // RFC 3986 3.2.2 and 3.2.3: an IP-literal is followed by nothing or by ":" *DIGIT
                    return i + 1 == len || portFrom(host, i + 1) ? i + 1 : len;
                }
            }
            return len;
        }
        for (int i = len - 1; i >= 0; i--) {
            char c = host.charAt(i);
            if (c == ':') {
                return i;
            }
            if (c < '0' || c > '9') {
                return len;
            }
        }
        return len;
    }

    /** Whether {@code host} from {@code colon} on is {@code :} and digits only. */
    private static boolean portFrom(CharSequence host, int colon) {
        if (host.charAt(colon) != ':') {
            return false;
        }
        for (int i = colon + 1; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean regionEqualsIgnoreCase(CharSequence s, int offset, String lower) {
        for (int i = 0; i < lower.length(); i++) {
            char c = s.charAt(offset + i);
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c + ('a' - 'A'));
            }
            if (c != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return pattern;
    }
}
