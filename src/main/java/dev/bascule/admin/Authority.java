package dev.bascule.admin;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The host and port that a {@code Host} header, an absolute-form target or an {@code Origin} names (RFC 3986
 * §3.2.2-3.2.3), in the form {@link AdminGuard} compares: the host in lower case (it is case-insensitive), an IPv6
 * address in its brackets, the port resolved to the scheme's default when absent.
 *
 * <p>Immutable.
 */
record Authority(String host, int port) {

    /**
     * @param defaultPort the port when {@code text} gives none (80 for http, 443 for https)
     * @return null when {@code text} is not {@code host[:port]}: empty, with user info or a path, a port that is
     *     not a number up to 65535, a host that is not a name of letters, digits and {@code -._~}, an IPv4 address
     *     or a bracketed IPv6 one
     */
    static Authority parse(String text, int defaultPort) {
        if (text.isEmpty()) {
            return null;
        }
        String host;
        String port;
        if (text.charAt(0) == '[') {
            int close = text.indexOf(']');
            if (close < 0 || (close + 1 < text.length() && text.charAt(close + 1) != ':')) {
                return null;
            }
            String address = text.substring(1, close);
            // RFC 3986 §3.2.2: brackets hold an IPv6 address (IPvFuture is of no use here).
            if (address.indexOf(':') < 0 || NetUtil.createByteArrayFromIpAddressString(address) == null) {
                return null;
            }
            host = text.substring(0, close + 1);
            port = close + 1 < text.length() ? text.substring(close + 2) : "";
        } else {
            int colon = text.indexOf(':');
            host = colon < 0 ? text : text.substring(0, colon);
            port = colon < 0 ? "" : text.substring(colon + 1);
            if (!isName(host)) {
                return null;
            }
        }
        int number = port.isEmpty() ? defaultPort : parsePort(port); // "host:" is allowed: port = *DIGIT
        return number < 0 ? null : new Authority(host.toLowerCase(Locale.ROOT), number);
    }

    /**
     * Whether the host is one only this machine answers to: {@code localhost}, an address in 127.0.0.0/8 or
     * {@code [::1]}. A DNS-rebinding page reaches a loopback server under a name its attacker controls, never
     * under one of these.
     */
    boolean isLoopback() {
        if (host.equals("localhost")) {
            return true;
        }
        if (host.startsWith("[")) {
            byte[] address = NetUtil.createByteArrayFromIpAddressString(host.substring(1, host.length() - 1));
            try {
                return address != null && InetAddress.getByAddress(address).isLoopbackAddress();
            } catch (UnknownHostException e) {
                return false; // not a 4- or 16-byte address; cannot happen for a parsed one
            }
        }
        return host.startsWith("127.") && NetUtil.isValidIpV4Address(host);
    }

    /** RFC 3986 reg-name, narrowed to unreserved characters: what host names and IPv4 addresses are made of. */
    private static boolean isName(String host) {
        if (host.isEmpty()) {
            return false;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~';
            if (!unreserved) {
                return false;
            }
        }
        return true;
    }

    /** @return -1 when not 1 to 5 digits up to 65535 */
    private static int parsePort(String text) {
        if (text.length() > 5) {
            return -1;
        }
        int port = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            port = port * 10 + (c - '0');
        }
        return port <= 65535 ? port : -1;
    }
}
