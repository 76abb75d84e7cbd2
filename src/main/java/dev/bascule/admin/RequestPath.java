package dev.bascule.admin;

import dev.bascule.control.CommandException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a request target into percent-decoded path segments, so {@code 127.0.0.1%3A9005} and {@code
 * %5B%3A%3A1%5D%3A9005} name the same servers as {@code 127.0.0.1:9005} and {@code [::1]:9005}.
 *
 * <p>Segments are split before they are decoded, so an encoded {@code /} ({@code %2F}) stays inside its segment;
 * {@code +} is a plus sign (form encoding does not apply to paths, RFC 3986 §2.1). Stateless.
 */
final class RequestPath {
    private RequestPath() {}

    /**
     * @param target the request-target: origin-form ({@code /status?x}) or absolute-form ({@code
     *     http://host/status}, RFC 9112 §3.2.2); the query and fragment are ignored
     * @return the decoded segments ({@code /a/b} gives {@code [a, b]}, {@code /} gives {@code [""]}); empty when
     *     the target has no path (asterisk-form, authority-form)
     * @throws CommandException 400 on a malformed percent-escape
     */
    static List<String> segments(String target) {
        String path = target;
        int end = indexOfAny(path, '?', '#');
        if (end >= 0) {
            path = path.substring(0, end);
        }
        if (!path.startsWith("/")) {
            int scheme = path.indexOf("://");
            if (scheme <= 0) {
                return List.of();
            }
            int slash = path.indexOf('/', scheme + 3);
            path = slash < 0 ? "/" : path.substring(slash);
        }
        List<String> segments = new ArrayList<>();
        for (String raw : path.substring(1).split("/", -1)) {
            segments.add(decode(raw));
        }
        return segments;
    }

    static String decode(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c != '%') {
                // The codec hands us the target as ISO-8859-1 octets; keep them as the bytes they were.
                bytes.write(c);
                continue;
            }
            int hi = i + 2 < segment.length() ? Character.digit(segment.charAt(i + 1), 16) : -1;
            int lo = hi >= 0 ? Character.digit(segment.charAt(i + 2), 16) : -1;
            if (lo < 0) {
                throw new CommandException(400, "bad percent-encoding in path segment '" + segment + "'");
            }
            bytes.write(hi << 4 | lo);
            i += 2;
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static int indexOfAny(String s, char a, char b) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == a || c == b) {
                return i;
            }
        }
        return -1;
    }
}
