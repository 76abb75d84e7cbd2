package dev.bascule.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Binds the {@code listeners:} list for {@link ConfigBinder}; same error contract. */
final class ListenerBinder {
    static final List<String> LISTENER_KEYS = List.of("name", "address", "tls", "redirect_https", "hsts",
            "protocols");

    private final Problems problems;
    private final TlsBinder tls;

    ListenerBinder(Problems problems, TlsBinder tls) {
        this.problems = problems;
        this.tls = tls;
    }

    /** @param seq the value of {@code listeners:}, null when absent or not a list (already reported) */
    List<ListenerConfig> bind(YamlNode.Sequence seq) {
        if (seq == null) {
            return List.of();
        }
        if (seq.items().isEmpty()) {
            problems.add(seq.mark(), "'listeners' needs at least one listener");
        }
        Map<HostPort, Integer> addressLines = new HashMap<>();
        Map<String, Integer> nameLines = new HashMap<>();
        List<ListenerConfig> listeners = new ArrayList<>();
        for (YamlNode item : seq.items()) {
            Fields f = Fields.open(item, "a listener", problems, LISTENER_KEYS);
            if (f == null) {
                continue;
            }
            HostPort address = f.parsedRequired("address", HostPort::parse);
            String name = f.text("name");
            TlsConfig tlsConfig = tls.listener(f.node("tls"));
            boolean redirectHttps = f.bool("redirect_https", false);
            if (redirectHttps && f.node("tls") != null) {
                problems.add(f.keyMark("redirect_https"), "redirect_https is for a plain listener;"
                        + " this one has tls, so it already serves https");
            }
            String hsts = f.parsed("hsts", ListenerBinder::checkHsts, null);
            List<HttpProtocol> protocols = protocols(f, f.node("tls") != null, redirectHttps);
            if (name != null && name.isBlank()) {
                problems.add(f.valueMark("name"), "listener name must not be empty");
                continue;
            }
            if (address == null) {
                continue;
            }
            YamlNode.Mark addressMark = f.valueMark("address");
            Integer firstAddress = addressLines.putIfAbsent(address, addressMark.line());
            if (firstAddress != null) {
                problems.add(addressMark, "duplicate listener address " + address + " (first at line " + firstAddress + ")");
                continue; // its default name would repeat too; one error is enough
            }
            YamlNode.Mark nameMark = name != null ? f.valueMark("name") : addressMark;
            String effectiveName = name != null ? name : address.toString();
            Integer firstName = nameLines.putIfAbsent(effectiveName, nameMark.line());
            if (firstName != null) {
                problems.add(nameMark, "duplicate listener name '" + effectiveName + "' (first at line " + firstName + ")"
                        + (name == null ? "; this listener has no name, so its address is its name" : ""));
                continue;
            }
            listeners.add(new ListenerConfig(effectiveName, address, tlsConfig, redirectHttps, hsts, protocols));
        }
        return listeners;
    }

    /**
     * The listener's {@code protocols}, or the default for its kind when not written. With TLS the list is the
     * ALPN offer (RFC 7301), so only protocols ALPN can name belong there: {@code h2} and {@code http1}. Plain,
     * HTTP/2 comes only by prior knowledge ({@code h2c}, RFC 9113 section 3.3) and is told apart from HTTP/1.1
     * by its connection preface on the same port, so {@code http1} must be listed: an h2c-only port would leave
     * every HTTP/1.1 client, health checker and browser without an answer it can read.
     */
    private List<HttpProtocol> protocols(Fields f, boolean tls, boolean redirectHttps) {
        List<HttpProtocol> fallback = ListenerConfig.defaultProtocols(tls);
        YamlNode.Sequence seq = f.sequence(f.node("protocols"), "protocols");
        if (seq == null) {
            return fallback;
        }
        if (seq.items().isEmpty()) {
            problems.add(seq.mark(), "'protocols' needs at least one protocol, such as "
                    + (tls ? "[h2, http1]" : "[http1]"));
            return fallback;
        }
        List<HttpProtocol> protocols = new ArrayList<>();
        for (YamlNode item : seq.items()) {
            if (!(item instanceof YamlNode.Scalar s) || s.isNull()) {
                problems.add(item.mark(), "each item of 'protocols' must be a single value, found " + item.describe());
                continue;
            }
            HttpProtocol p = HttpProtocol.ofText(s.text());
            String problem = protocolProblem(p, s.text(), tls, redirectHttps, protocols);
            if (problem != null) {
                problems.add(item.mark(), problem);
            } else {
                protocols.add(p);
            }
        }
        if (!tls && !protocols.contains(HttpProtocol.HTTP1)) {
            problems.add(seq.mark(), "a listener without tls must list http1: h2c is served beside it on the same"
                    + " port, told apart by the HTTP/2 connection preface");
        }
        return protocols.isEmpty() ? fallback : protocols;
    }

    /** Why {@code p} (written {@code text}) cannot be in this listener's list, or null when it can. */
    private static String protocolProblem(HttpProtocol p, String text, boolean tls, boolean redirectHttps,
            List<HttpProtocol> before) {
        if (p == null) {
            return "bad protocol '" + text + "', expected " + (tls ? "h2 or http1 (this listener has tls)"
                    : "http1 or h2c (this listener has no tls)");
        }
        if (tls && p == HttpProtocol.H2C) {
            return "h2c is HTTP/2 without TLS; a listener with tls offers HTTP/2 as h2 (chosen by ALPN)";
        }
        if (!tls && p == HttpProtocol.H2) {
            return "h2 is HTTP/2 over TLS (chosen by ALPN) and this listener has no tls; h2c serves HTTP/2 with"
                    + " prior knowledge on a plain listener";
        }
        if (before.contains(p)) {
            return "protocol '" + text + "' is listed twice";
        }
        if (redirectHttps && p == HttpProtocol.H2C) {
            return "h2c is not allowed with redirect_https: true; that listener only sends clients to https";
        }
        return null;
    }

    /**
     * A Strict-Transport-Security value (RFC 6797 section 6.1): {@code max-age=SECONDS}, then optional directives
     * after ';' ({@code includeSubDomains}, {@code preload}). It is sent verbatim, so it must be printable ASCII:
     * a CR or LF here would split the response header.
     */
    static String checkHsts(String text) {
        if (!text.chars().allMatch(c -> c >= ' ' && c < 0x7f)) {
            // Not echoed: the message would carry the very line break that makes it bad.
            throw new IllegalArgumentException("hsts must be printable ASCII on one line; it is sent as a header value");
        }
        int digitsEnd = "max-age=".length();
        while (digitsEnd < text.length() && text.charAt(digitsEnd) >= '0' && text.charAt(digitsEnd) <= '9') {
            digitsEnd++;
        }
        boolean ok = text.startsWith("max-age=") && digitsEnd > "max-age=".length()
                && (digitsEnd == text.length() || text.charAt(digitsEnd) == ';' || text.charAt(digitsEnd) == ' ');
        if (!ok) {
            throw new IllegalArgumentException("bad hsts '" + text + "', expected max-age= and a number of seconds,"
                    + " such as max-age=31536000 or max-age=31536000; includeSubDomains");
        }
        return text;
    }
}
