package dev.bascule.nginx;

import java.util.Locale;

/**
 * nginx's value syntaxes, turned into Bascule's: times ({@code 10s}, {@code 30}, {@code 1m30s}, {@code
 * 500ms}), sizes ({@code 1m}, {@code 512k}, {@code 0}), {@code listen} addresses and {@code proxy_pass} URLs.
 * Each parser returns null for what it cannot read; the caller reports it.
 *
 * <p>Stateless.
 */
final class NginxValues {
    private NginxValues() {}

    /** nginx's time units (ngx_parse_time), in milliseconds; a number alone is seconds. */
    static Long millis(String text) {
        long total = 0;
        int i = 0;
        String t = text;
        if (t.isEmpty()) {
            return null;
        }
        while (i < t.length()) {
            int start = i;
            while (i < t.length() && Character.isDigit(t.charAt(i))) {
                i++;
            }
            if (i == start || i - start > 9) {
                return null;
            }
            long n = Long.parseLong(t.substring(start, i));
            long unit;
            if (t.startsWith("ms", i)) {
                unit = 1;
                i += 2;
            } else if (i == t.length()) {
                unit = 1000;
            } else {
                unit = switch (t.charAt(i)) {
                    case 's' -> 1000L;
                    case 'm' -> 60_000L;
                    case 'h' -> 3_600_000L;
                    case 'd' -> 86_400_000L;
                    case 'w' -> 7 * 86_400_000L;
                    case 'M' -> 30 * 86_400_000L;
                    case 'y' -> 365 * 86_400_000L;
                    default -> -1L;
                };
                if (unit < 0) {
                    return null;
                }
                i++;
            }
            total += n * unit;
        }
        return total;
    }

    /** A duration as Bascule writes one: {@code 10s}, {@code 1500ms}. */
    static String duration(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /** nginx's size (ngx_parse_size): bytes, or k/K, m/M, g/G; as Bascule writes sizes, or null. */
    static String size(String text) {
        if (text.isEmpty()) {
            return null;
        }
        char last = Character.toLowerCase(text.charAt(text.length() - 1));
        String digits = Character.isDigit(last) ? text : text.substring(0, text.length() - 1);
        if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(Character::isDigit)) {
            return null;
        }
        long n = Long.parseLong(digits);
        long bytes = switch (last) {
            case 'k' -> n << 10;
            case 'm' -> n << 20;
            case 'g' -> n << 30;
            default -> Character.isDigit(last) ? n : -1;
        };
        if (bytes < 0 || bytes > Integer.MAX_VALUE) {
            return null;
        }
        if (bytes > 0 && bytes % (1 << 20) == 0) {
            return (bytes >> 20) + "m";
        }
        if (bytes > 0 && bytes % 1024 == 0) {
            return (bytes >> 10) + "k";
        }
        return Long.toString(bytes);
    }

    /**
     * A {@code listen} address as Bascule's {@code host:port}: {@code 80} and {@code *:80} are every IPv4
     * address ({@code 0.0.0.0:80}), an address alone gets port 80 (as in nginx). Null for a UNIX socket or
     * what is not an address.
     */
    static String listenAddress(String text) {
        if (text.startsWith("unix:")) {
            return null;
        }
        if (text.chars().allMatch(Character::isDigit)) {
            return port(text) == null ? null : "0.0.0.0:" + text;
        }
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                return null;
            }
            host = text.substring(0, close + 1);
            String rest = text.substring(close + 1);
            port = rest.isEmpty() ? "80" : rest.startsWith(":") ? rest.substring(1) : null;
        } else {
            int colon = text.lastIndexOf(':');
            host = colon < 0 ? text : text.substring(0, colon);
            port = colon < 0 ? "80" : text.substring(colon + 1);
        }
        if (port == null || port(port) == null || host.isEmpty()) {
            return null;
        }
        return (host.equals("*") ? "0.0.0.0" : host) + ":" + port;
    }

    /** An upstream {@code server} address as Bascule's {@code host:port} (port 80 when none); null if not one. */
    static String serverAddress(String text) {
        if (text.isEmpty() || text.startsWith("unix:") || text.startsWith("*")
                || text.chars().allMatch(Character::isDigit)) {
            return null;
        }
        return listenAddress(text);
    }

    private static Integer port(String text) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)) {
            return null;
        }
        int p = Integer.parseInt(text);
        return p <= 65535 ? p : null;
    }

    /**
     * A {@code proxy_pass} URL: scheme, authority as written ({@code web-blue}, {@code 10.0.0.1:8080}) and the
     * URI part ({@code ""} when there is none, so the request's own URI is passed).
     */
    record ProxyPass(boolean https, String authority, String uri) {
        /** The authority's host: what names an upstream block. */
        String host() {
            if (authority.startsWith("[")) {
                return authority.substring(0, authority.indexOf(']') + 1);
            }
            int colon = authority.lastIndexOf(':');
            return colon < 0 ? authority : authority.substring(0, colon);
        }

        boolean hasPort() {
            return !host().equals(authority);
        }

        /** {@code host:port}, with the scheme's port when none is written. */
        String address() {
            return hasPort() ? authority : authority + (https ? ":443" : ":80");
        }
    }

    /** Null for a URL with variables, a UNIX socket or another scheme: the caller says which. */
    static ProxyPass proxyPass(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        boolean https = lower.startsWith("https://");
        if (!https && !lower.startsWith("http://")) {
            return null;
        }
        String rest = url.substring(https ? 8 : 7);
        if (rest.startsWith("unix:") || url.indexOf('$') >= 0) {
            return null;
        }
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        if (authority.isEmpty()) {
            return null;
        }
        return new ProxyPass(https, authority, slash < 0 ? "" : rest.substring(slash));
    }

    /** An upstream name Bascule accepts: letters, digits, '-', '_' and '.'; anything else becomes '-'. */
    static String upstreamName(String text) {
        StringBuilder sb = new StringBuilder();
        for (char c : text.toCharArray()) {
            sb.append(Character.isLetterOrDigit(c) && c < 0x80 || c == '-' || c == '_' || c == '.' ? c : '-');
        }
        return sb.toString();
    }
}
