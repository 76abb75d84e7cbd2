package dev.bascule.route;

/**
 * A segment-aware path prefix: {@code /green} matches {@code /green}, {@code /green/x} and {@code /green?q}, but
 * not {@code /greenx}. The prefix {@code /} matches every path.
 *
 * <p>Immutable and thread-safe; matching allocates nothing.
 */
public final class PathPrefix {
    private final String prefix;

    private PathPrefix(String prefix) {
        this.prefix = prefix;
    }

    /** @throws IllegalArgumentException unless the prefix starts with '/' */
    public static PathPrefix of(String prefix) {
        if (prefix == null || !prefix.startsWith("/")) {
            throw new IllegalArgumentException("a path prefix must start with '/': " + prefix);
        }
        String p = prefix;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return new PathPrefix(p);
    }

    /** @param target an origin-form request target ({@code /path?query}) */
    public boolean matches(CharSequence target) {
        if (prefix.length() == 1) {
            return target.length() > 0 && target.charAt(0) == '/';
        }
        int n = prefix.length();
        if (target.length() < n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (target.charAt(i) != prefix.charAt(i)) {
                return false;
            }
        }
        if (target.length() == n) {
            return true;
        }
        char next = target.charAt(n);
        return next == '/' || next == '?' || next == '#';
    }

    /**
     * Removes the prefix from a target this prefix {@link #matches}: {@code /green/x?y} becomes {@code /x?y},
     * {@code /green} becomes {@code /}, {@code /green?q} becomes {@code /?q}.
     */
    public String strip(String target) {
        if (prefix.length() == 1) {
            return target;
        }
        if (target.length() == prefix.length()) {
            return "/";
        }
        String rest = target.substring(prefix.length());
        return rest.charAt(0) == '/' ? rest : "/" + rest;
    }

    public String value() {
        return prefix;
    }

    @Override
    public String toString() {
        return prefix;
    }
}
