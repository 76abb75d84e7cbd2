package dev.bascule.nginx;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Translates {@code proxy_set_header} (to {@code request_headers}) and {@code add_header} (to {@code
 * response_headers.add}). Values are fixed in Bascule, so a value with a variable is reported, except the
 * idioms Bascule already does by itself ({@code Host $host}, {@code X-Forwarded-For
 * $proxy_add_x_forwarded_for}, {@code X-Forwarded-Proto $scheme}, the WebSocket {@code Upgrade} and {@code
 * Connection} pair), which are noted. As in nginx, an empty value removes the header, and without {@code
 * proxy_set_header Host} the origin gets the proxy_pass host ({@code $proxy_host}).
 *
 * <p>Not thread-safe: one import.
 */
final class HeaderImport {
    /** Fields Bascule writes itself for each hop; a route may not edit them. */
    static final Set<String> BASCULE_WRITES = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade", "content-length", "expect");

    private final Notes notes;
    private final Set<String> header;

    /** @param header the YAML's top comments, where a note that holds for every route goes once */
    HeaderImport(Notes notes, Set<String> header) {
        this.notes = notes;
        this.header = header;
    }

    /** The request edits of a location: fields set (lower-case names, Host first) and removed. */
    record RequestEdits(Map<String, String> set, List<String> remove) {}

    /** @param proxyHost the proxy_pass authority ({@code $proxy_host}), sent as Host unless the config says */
    RequestEdits request(List<Directive> proxySetHeaders, String proxyHost) {
        Map<String, String> set = new LinkedHashMap<>();
        List<String> remove = new ArrayList<>();
        boolean hostGiven = false;
        for (Directive d : proxySetHeaders) {
            if (d.args().size() != 2) {
                notes.skip(d, "expected a name and a value");
                continue;
            }
            String name = d.arg(0).toLowerCase(Locale.ROOT);
            String value = d.arg(1);
            if (name.equals("host")) {
                hostGiven = true;
                switch (value) {
                    case "$host", "$http_host" -> header.add("proxy_set_header Host " + value + ": Bascule passes the"
                            + " client's Host through by itself" + (value.equals("$host")
                            ? " (with its port, where nginx's $host has none)" : ""));
                    case "$proxy_host" -> { } // nginx's default, below
                    default -> {
                        if (value.indexOf('$') >= 0) {
                            notes.skip(d, Reasons.VARIABLES);
                        }
                    }
                }
            } else if (idiom(name, value)) {
                continue;
            } else if (value.isEmpty()) {
                if (!BASCULE_WRITES.contains(name)) {
                    remove.add(name); // nginx sends no header whose value is empty
                }
            } else if (BASCULE_WRITES.contains(name)) {
                notes.skip(d, "Bascule writes " + d.arg(0) + " itself for each hop");
            } else if (value.indexOf('$') >= 0) {
                notes.skip(d, Reasons.VARIABLES + (name.equals("x-real-ip")
                        ? "; Bascule sends the client address in X-Forwarded-For" : ""));
            } else if (!fieldValue(value)) {
                notes.skip(d, "the value has characters a header value cannot have");
            } else {
                set.put(name, value);
            }
        }
        if (!hostGiven && proxyHost != null) {
            header.add("request_headers set host: as nginx, which sends the proxy_pass host ($proxy_host) as Host"
                    + " unless proxy_set_header Host says otherwise; remove it to pass the client's Host");
        }
        set.remove("host");
        Map<String, String> ordered = new LinkedHashMap<>();
        String host = hostValue(proxySetHeaders, proxyHost);
        if (host != null) {
            ordered.put("host", host); // first, where a reader looks for it
        }
        ordered.putAll(set);
        return new RequestEdits(ordered, remove);
    }

    /** The Host a location sends: its fixed proxy_set_header Host, $proxy_host, or null to pass the client's. */
    private static String hostValue(List<Directive> proxySetHeaders, String proxyHost) {
        String host = proxyHost;
        for (Directive d : proxySetHeaders) {
            if (d.args().size() == 2 && d.arg(0).equalsIgnoreCase("host")) {
                String v = d.arg(1);
                host = v.equals("$proxy_host") ? proxyHost : v.indexOf('$') >= 0 ? null : v;
            }
        }
        return host;
    }

    /** The header idioms Bascule does without being told; noted once at the top of the YAML. */
    private boolean idiom(String name, String value) {
        String note = switch (name) {
            case "x-forwarded-for" -> value.equals("$proxy_add_x_forwarded_for") || value.equals("$remote_addr")
                    ? "X-Forwarded-For: Bascule sets it itself (it keeps the incoming list only from trusted_proxies)"
                    : null;
            case "x-forwarded-proto" -> value.equals("$scheme") ? "X-Forwarded-Proto: Bascule sets it itself" : null;
            case "x-forwarded-host" -> value.equals("$host") || value.equals("$http_host")
                    ? "X-Forwarded-Host: Bascule sets it itself, from Host" : null;
            case "upgrade" -> value.equals("$http_upgrade")
                    ? "Upgrade and Connection for WebSocket: Bascule tunnels WebSocket itself (a route's websocket)"
                    : null;
            case "connection" -> value.equalsIgnoreCase("upgrade") || value.equals("$connection_upgrade")
                    ? "Upgrade and Connection for WebSocket: Bascule tunnels WebSocket itself (a route's websocket)"
                    : value.isEmpty() ? "Connection \"\": Bascule keeps origin connections alive by itself" : null;
            default -> null;
        };
        if (note != null) {
            header.add("proxy_set_header " + note);
        }
        return note != null;
    }

    /** {@code add_header NAME VALUE [always]} directives as response fields to add. */
    Map<String, String> response(List<Directive> addHeaders) {
        Map<String, String> add = new LinkedHashMap<>();
        for (Directive d : addHeaders) {
            if (d.args().size() < 2 || d.args().size() > 3 || d.args().size() == 3 && !"always".equals(d.arg(2))) {
                notes.skip(d, "expected a name, a value and maybe 'always'");
                continue;
            }
            String name = d.arg(0).toLowerCase(Locale.ROOT);
            String value = d.arg(1);
            if (BASCULE_WRITES.contains(name) || name.equals("host")) {
                notes.skip(d, "Bascule writes " + d.arg(0) + " itself for each hop");
            } else if (value.indexOf('$') >= 0) {
                notes.skip(d, Reasons.VARIABLES);
            } else if (!fieldValue(value) || add.containsKey(name)) {
                notes.skip(d, add.containsKey(name) ? "Bascule adds one value per header and route"
                        : "the value has characters a header value cannot have");
            } else {
                add.put(name, value);
                if (d.args().size() == 2) {
                    header.add("add_header: nginx adds these only to 200, 201, 204, 206, 301, 302, 303, 304, 307 and"
                            + " 308 responses (unless 'always'); Bascule's response_headers apply to every response"
                            + " relayed from an origin");
                }
            }
        }
        return add;
    }

    /** RFC 9110 5.5, as Bascule's config checks it: visible ASCII, inner spaces and tabs. */
    private static boolean fieldValue(String v) {
        if (!v.isEmpty() && (v.charAt(0) == ' ' || v.charAt(v.length() - 1) == ' ')) {
            return false;
        }
        return v.chars().allMatch(c -> c >= ' ' && c < 0x7f || c == '\t');
    }
}
