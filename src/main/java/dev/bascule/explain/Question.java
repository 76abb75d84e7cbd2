package dev.bascule.explain;

import dev.bascule.config.Cidr;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The request an operator asks about: what routing and balancing would see of it. Built by {@link #of}, which
 * checks every part the way the proxy would read it, so an answer never rests on input the proxy would refuse.
 *
 * <p>Immutable.
 *
 * @param host the Host header as a client would send it (a port is ignored when routing, as by the proxy)
 * @param path the origin-form request target, query included ({@code /green/x?y})
 * @param method the request method, {@code GET} unless given
 * @param client the client's address in the form the proxy keys rate limits and hashes by ({@link
 *     InetAddress#getHostAddress()}); null when not given, and then nothing that depends on it is decided
 * @param headers the request's other headers, in order
 */
public record Question(String host, String path, String method, String client, List<Header> headers) {

    /** One request header. */
    public record Header(String name, String value) {}

    public Question {
        headers = List.copyOf(headers);
    }

    /**
     * @param method null for {@code GET}
     * @param client null for none; otherwise an IPv4 or IPv6 literal (never looked up in DNS)
     * @param headers each {@code Name:value}
     * @throws IllegalArgumentException naming the first part that is missing or malformed, fit for an answer
     */
    public static Question of(String host, String path, String method, String client, List<String> headers) {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("host is required, such as blue.labs.test");
        }
        if (!visible(host)) {
            throw new IllegalArgumentException("bad host '" + host + "': spaces and control characters are not allowed");
        }
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("path is required, such as /x");
        }
        // RFC 9112 3.2.1: the origin form starts with '/'; the proxy refuses a target with spaces or controls.
        if (path.charAt(0) != '/' || !visible(path)) {
            throw new IllegalArgumentException("bad path '" + path + "': expected an origin-form target such as /x?y");
        }
        String m = method == null ? "GET" : method;
        if (m.isEmpty() || !token(m)) {
            throw new IllegalArgumentException("bad method '" + m + "': expected a token such as GET");
        }
        List<Header> parsed = new ArrayList<>();
        for (String line : headers) {
            parsed.add(parseHeader(line));
        }
        return new Question(host, path, m, client == null ? null : clientAddress(client), parsed);
    }

    /** The first value of header {@code name} (case-insensitive, as header names are); null when absent. */
    public String header(String name) {
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }

    /** The client's address bytes (4 or 16); null without a client. */
    byte[] clientBytes() {
        if (client == null) {
            return null;
        }
        try {
            return InetAddress.getByName(client).getAddress(); // a literal made by clientAddress: no DNS
        } catch (UnknownHostException e) {
            throw new IllegalStateException("not an address literal: " + client, e);
        }
    }

    private static Header parseHeader(String line) {
        int colon = line.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("bad header '" + line + "': expected Name:value");
        }
        String name = line.substring(0, colon);
        if (!token(name)) {
            throw new IllegalArgumentException("bad header name '" + name + "': expected a token such as X-User");
        }
        // RFC 9110 5.5: whitespace around a field value is not part of it; CR, LF and NUL never are.
        String value = line.substring(colon + 1).strip();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                throw new IllegalArgumentException("bad value of header '" + name + "': control characters are not"
                        + " allowed");
            }
        }
        return new Header(name, value);
    }

    /** An IPv4 or IPv6 literal, canonicalized as the proxy writes a peer's address. */
    private static String clientAddress(String text) {
        Cidr parsed;
        try {
            parsed = text.indexOf('/') >= 0 ? null : Cidr.parse(text); // parses literals only, never DNS
        } catch (IllegalArgumentException e) {
            parsed = null;
        }
        if (parsed == null || parsed.prefixLength() != parsed.network().length * 8) {
            throw new IllegalArgumentException("bad client '" + text + "': expected an IP address such as 10.1.2.3");
        }
        try {
            return InetAddress.getByAddress(parsed.network()).getHostAddress().toLowerCase(Locale.ROOT);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 4 or 16 bytes always make an address
        }
    }

    /** Visible ASCII only (RFC 5234 VCHAR): what the proxy accepts in a target or a Host. */
    private static boolean visible(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** RFC 9110 5.6.2: token = 1*tchar. */
    private static boolean token(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean tchar = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar) {
                return false;
            }
        }
        return !s.isEmpty();
    }
}
