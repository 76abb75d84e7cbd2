package dev.bascule.config;

/**
 * Checks the host names the config sends to origins (a probe's Host header, a TLS server name). Unlike a
 * route's host these are sent, not matched: no wildcard, and kept as written. Pure.
 */
final class HostNames {
    /** RFC 1035 section 2.3.4: 63 bytes a label, 253 for the whole name as written. */
    private static final int MAX_LABEL = 63;
    private static final int MAX_NAME = 253;

    private HostNames() {}

    /**
     * Checks a DNS host name such as {@code api.internal}: dot-separated labels of ASCII letters, digits, '-' and
     * '_' (the underscore appears in real internal names). An IPv4 address passes too, being such labels.
     *
     * @param key names the setting in the message
     * @throws IllegalArgumentException with a message fit for a config error
     */
    static String check(String key, String text) {
        boolean ok = !text.isEmpty() && text.length() <= MAX_NAME;
        for (String label : text.split("\\.", -1)) {
            ok &= !label.isEmpty() && label.length() <= MAX_LABEL && label.chars().allMatch(
                    c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_');
        }
        if (!ok) {
            throw new IllegalArgumentException("bad " + key + " '" + text + "': expected a host name such as api.internal");
        }
        return text;
    }

    /**
     * A TLS server name: a host name that is not an IP address, since SNI carries names only (RFC 6066
     * section 3); a server reached by address gets no SNI.
     */
    static String checkServerName(String key, String text) {
        check(key, text);
        if (text.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.')) {
            throw new IllegalArgumentException(key + " '" + text + "' is an IP address; a TLS server name must be a"
                    + " host name (RFC 6066 section 3)");
        }
        return text;
    }
}
