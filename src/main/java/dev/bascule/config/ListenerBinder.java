package dev.bascule.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Binds the {@code listeners:} list for {@link ConfigBinder}; same error contract. */
final class ListenerBinder {
    static final List<String> LISTENER_KEYS = List.of("name", "address", "tls", "redirect_https", "hsts");

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
            listeners.add(new ListenerConfig(effectiveName, address, tlsConfig, redirectHttps, hsts));
        }
        return listeners;
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
