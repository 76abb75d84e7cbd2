package dev.bascule.nginx;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes an {@link Imported} config as Bascule YAML, with its comments: a block per listener, upstream and
 * route, small mappings in flow style as the README writes them. A scalar is written plain only when YAML can
 * read it back as the same string; anything else is double-quoted with escapes.
 *
 * <p>Stateless.
 */
final class YamlWriter {
    /** Comments are wrapped to keep lines under this many characters. */
    private static final int WIDTH = 110;

    private YamlWriter() {}

    static String write(Imported c, String file) {
        StringBuilder y = new StringBuilder();
        comment(y, "", "Translated from " + file + " by bascule import-nginx. Directives it could not translate are"
                + " listed on stderr; comments below say where the meaning differs from nginx's.");
        for (String h : c.header) {
            comment(y, "", h);
        }
        y.append("listeners:\n");
        for (Imported.Listener l : c.listeners) {
            y.append("  - address: ").append(scalar(l.address)).append('\n');
            for (String note : l.comments) {
                comment(y, "    ", note);
            }
            if (l.tls) {
                if (l.certificates.size() == 1) {
                    y.append("    tls: { cert: ").append(scalar(l.certificates.get(0)[0])).append(", key: ")
                            .append(scalar(l.certificates.get(0)[1])).append(" }\n");
                } else {
                    y.append("    tls:\n      certificates:\n");
                    for (String[] pair : l.certificates) {
                        y.append("        - { cert: ").append(scalar(pair[0])).append(", key: ")
                                .append(scalar(pair[1])).append(" }\n");
                    }
                }
                if (!l.http2) {
                    y.append("    protocols: [ http1 ]\n");
                }
            } else if (l.http2) {
                y.append("    protocols: [ http1, h2c ]\n");
            }
            if (l.redirectHttps) {
                y.append("    redirect_https: true\n");
            }
        }
        y.append(c.upstreams.isEmpty() ? "upstreams: {}\n" : "upstreams:\n");
        for (Imported.Upstream u : c.upstreams.values()) {
            y.append("  ").append(scalar(u.name)).append(":\n");
            for (String note : u.comments) {
                comment(y, "    ", note);
            }
            if (!u.balancer.equals("round_robin")) {
                y.append("    balancer: ").append(u.balancer).append('\n');
            }
            if (u.hashKey != null) {
                y.append("    hash_key: ").append(scalar(u.hashKey)).append('\n');
            }
            y.append(u.servers.isEmpty() ? "    servers: []\n" : "    servers:\n");
            for (Imported.Server s : u.servers) {
                y.append("      - { address: ").append(scalar(s.address()));
                if (s.weight() != 1) {
                    y.append(", weight: ").append(s.weight());
                }
                if (s.maxConnections() > 0) {
                    y.append(", max_connections: ").append(s.maxConnections());
                }
                y.append(" }");
                y.append(s.comment() == null ? "" : "   # " + s.comment()).append('\n');
            }
            if (u.consecutiveFailures != null) {
                y.append("    passive: { consecutive_failures: ").append(u.consecutiveFailures)
                        .append(", base_ejection: ").append(u.baseEjection).append(" }\n");
            }
            if (Boolean.TRUE.equals(u.tls)) {
                y.append("    tls: { verify: false }\n");
            }
        }
        y.append("routes:\n");
        for (Imported.Route r : c.routes) {
            for (String note : r.comments) {
                comment(y, "  ", note);
            }
            List<String> match = new ArrayList<>();
            if (r.host != null) {
                match.add("host: " + scalar(r.host));
            }
            if (r.pathPrefix != null) {
                match.add("path_prefix: " + scalar(r.pathPrefix));
            }
            String first = match.isEmpty() ? "  - " : "  - match: { " + String.join(", ", match) + " }\n    ";
            y.append(first);
            if (r.upstream != null) {
                y.append("upstream: ").append(scalar(r.upstream)).append('\n');
                if (r.stripPrefix) {
                    y.append("    strip_prefix: true\n");
                }
                if (!r.requestSet.isEmpty() || !r.requestRemove.isEmpty()) {
                    List<String> parts = new ArrayList<>();
                    if (!r.requestSet.isEmpty()) {
                        parts.add("set: " + flow(r.requestSet));
                    }
                    if (!r.requestRemove.isEmpty()) {
                        parts.add("remove: [ " + String.join(", ", r.requestRemove.stream().map(YamlWriter::scalar)
                                .toList()) + " ]");
                    }
                    y.append("    request_headers: { ").append(String.join(", ", parts)).append(" }\n");
                }
                if (r.maxBodySize != null) {
                    y.append("    max_body_size: ").append(r.maxBodySize).append('\n');
                }
            } else {
                y.append("redirect: { to: ").append(scalar(r.redirectTo)).append(", status: ")
                        .append(r.redirectStatus).append(r.keepPath ? ", keep_path: true" : "").append(" }\n");
            }
            if (!r.responseAdd.isEmpty()) {
                y.append("    response_headers: { add: ").append(flow(r.responseAdd)).append(" }\n");
            }
        }
        return y.toString();
    }

    private static String flow(Map<String, String> map) {
        List<String> parts = new ArrayList<>();
        map.forEach((k, v) -> parts.add(scalar(k) + ": " + scalar(v)));
        return "{ " + String.join(", ", parts) + " }";
    }

    /**
     * {@code text} as a YAML scalar that reads back as the same string: plain when it is made of letters, digits
     * and {@code . _ - / :} and starts with a letter, digit or '/', is no YAML keyword and has no ': ' or
     * '://'; else double-quoted.
     */
    static String scalar(String text) {
        boolean plain = !text.isEmpty() && !text.contains("://")
                && (Character.isLetterOrDigit(text.charAt(0)) && text.charAt(0) < 0x80 || text.charAt(0) == '/')
                && text.chars().allMatch(ch -> ch < 0x80 && (Character.isLetterOrDigit(ch) || ".-_/:".indexOf(ch) >= 0))
                && !text.endsWith(":")
                && !List.of("true", "false", "null", "yes", "no", "on", "off", "y", "n", "~")
                        .contains(text.toLowerCase(java.util.Locale.ROOT));
        if (plain) {
            return text;
        }
        StringBuilder sb = new StringBuilder("\"");
        for (char ch : text.toCharArray()) {
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (ch < 0x20 || ch == 0x7f) {
                        sb.append(String.format("\\x%02x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** A comment, wrapped at word boundaries; newlines in it (from the nginx file) become spaces. */
    private static void comment(StringBuilder y, String indent, String text) {
        String rest = text.replace('\n', ' ').replace('\r', ' ');
        int width = WIDTH - indent.length() - 2;
        boolean first = true;
        while (!rest.isEmpty()) {
            String prefix = first ? "# " : "#   ";
            int room = width - (first ? 0 : 2);
            int cut = rest.length();
            if (cut > room) {
                cut = rest.lastIndexOf(' ', room);
                if (cut <= 0) {
                    cut = Math.min(rest.length(), room);
                }
            }
            y.append(indent).append(prefix).append(rest, 0, cut).append('\n');
            rest = rest.substring(cut).stripLeading();
            first = false;
        }
    }
}
