package dev.bascule.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Binds what a route adds to host and path for {@link RouteBinder}: the header, cookie, query and method
 * conditions of {@code match}, {@code request_headers} and {@code response_headers}, and {@code redirect}. Same
 * error contract: every problem reported where it is written, binding goes on.
 */
final class RouteRulesBinder {
    static final List<String> EDIT_KEYS = List.of("set", "add", "remove");
    static final List<String> REDIRECT_KEYS = List.of("to", "status", "keep_path");
    static final Set<Integer> REDIRECT_STATUSES = Set.of(301, 302, 303, 307, 308);

    /**
     * Fields a route may not edit, with why: they describe one connection (RFC 9110 7.6.1) or frame the message
     * (RFC 9112 6), which Bascule does itself for each hop.
     */
    private static final Map<String, String> NOT_EDITABLE = Map.of(
            "connection", "hop-by-hop: it describes one connection, not the message (RFC 9110 7.6.1)",
            "keep-alive", "hop-by-hop: it describes one connection, not the message (RFC 9110 7.6.1)",
            "proxy-connection", "hop-by-hop: it describes one connection, not the message (RFC 9110 7.6.1)",
            "te", "hop-by-hop: it describes one connection, not the message (RFC 9110 7.6.1)",
            "trailer", "hop-by-hop: it describes one connection, not the message (RFC 9110 7.6.1)",
            "upgrade", "hop-by-hop: it describes one connection, not the message (RFC 9110 7.6.1)",
            "transfer-encoding", "Bascule frames each message itself for the next hop (RFC 9112 6)",
            "content-length", "Bascule frames each message itself for the next hop (RFC 9112 6)");

    private final Problems problems;

    RouteRulesBinder(Problems problems) {
        this.problems = problems;
    }

    /** The conditions of an opened {@code match}; {@link RequestMatchConfig#NONE} when there are none. */
    RequestMatchConfig conditions(Fields match) {
        if (match == null) {
            return RequestMatchConfig.NONE;
        }
        Map<String, String> headers = pairs(match.node("header"), "header", this::matchHeaderName,
                RouteRulesBinder::checkFieldValue);
        Map<String, String> cookies = pairs(match.node("cookie"), "cookie", RouteRulesBinder::checkCookieName,
                RouteRulesBinder::checkCookieValue);
        Map<String, String> query = pairs(match.node("query"), "query", RouteRulesBinder::checkQueryName,
                RouteRulesBinder::checkQueryText);
        List<String> methods = methods(match);
        return new RequestMatchConfig(headers, cookies, query, methods);
    }

    private String matchHeaderName(String text) {
        String name = fieldName(text);
        if (name.equals("host")) {
            throw new IllegalArgumentException("match the host with 'host' beside 'header', not as a header");
        }
        if (name.equals("cookie")) {
            throw new IllegalArgumentException("match a cookie with 'cookie: { NAME: value }', not the whole"
                    + " Cookie header");
        }
        return name;
    }

    private List<String> methods(Fields match) {
        YamlNode node = match.node("method");
        List<String> methods = match.list("method", RouteRulesBinder::parseMethod, List.of());
        if (node instanceof YamlNode.Sequence seq) {
            if (seq.items().isEmpty()) {
                problems.add(seq.mark(), "'method' needs at least one method, such as [ GET, HEAD ]");
            }
            List<String> seen = new ArrayList<>();
            for (YamlNode item : seq.items()) {
                if (item instanceof YamlNode.Scalar s && !s.isNull()) {
                    if (seen.contains(s.text())) {
                        problems.add(item.mark(), "method '" + s.text() + "' is listed twice");
                    }
                    seen.add(s.text());
                }
            }
        }
        return List.copyOf(new LinkedHashSet<>(methods));
    }

    /** RFC 9110 9.1: a method is a case-sensitive token; clients send the standard ones in upper case. */
    static String parseMethod(String text) {
        if (text.isEmpty() || !text.chars().allMatch(RouteRulesBinder::isTokenChar)) {
            throw new IllegalArgumentException("bad method '" + text + "': expected a token such as GET");
        }
        if (!text.equals(text.toUpperCase(Locale.ROOT))) {
            throw new IllegalArgumentException("method '" + text + "' never matches: methods are case-sensitive"
                    + " (RFC 9110 9.1); write '" + text.toUpperCase(Locale.ROOT) + "'");
        }
        return text;
    }

    /**
     * A {@code request_headers} or {@code response_headers} block.
     *
     * @param key {@code request_headers} or {@code response_headers}
     */
    HeaderEditsConfig edits(YamlNode node, String key) {
        Fields f = node == null ? null : Fields.open(node, "'" + key + "'", problems, EDIT_KEYS);
        if (f == null) {
            return HeaderEditsConfig.NONE;
        }
        boolean request = key.equals("request_headers");
        Map<String, YamlNode.Mark> seen = new HashMap<>();
        Map<String, String> set = pairs(f.node("set"), "set", text -> editName(text, "set", request),
                RouteRulesBinder::checkEditValue);
        Map<String, String> add = pairs(f.node("add"), "add", text -> editName(text, "add", request),
                RouteRulesBinder::checkEditValue);
        List<String> remove = f.list("remove", text -> editName(text, "remove", request), List.of());
        once(f.node("set"), "set", request, seen);
        once(f.node("add"), "add", request, seen);
        once(f.node("remove"), "remove", request, seen);
        return new HeaderEditsConfig(set, add, remove);
    }

    /**
     * Reports a field named in two of set, add and remove, or twice in remove: the result would depend on the
     * order the edits run in. (Twice in one mapping is reported when the mapping is read.)
     */
    private void once(YamlNode node, String list, boolean request, Map<String, YamlNode.Mark> seen) {
        Map<String, YamlNode.Mark> here = new HashMap<>();
        if (node instanceof YamlNode.Mapping m) {
            for (YamlNode.Entry e : m.entries()) {
                String name = e.key().toLowerCase(Locale.ROOT);
                if (editable(e.key(), list, request) && here.putIfAbsent(name, e.keyMark()) == null) {
                    reportIfSeen(name, e.keyMark(), seen);
                }
            }
        } else if (node instanceof YamlNode.Sequence s) {
            for (YamlNode item : s.items()) {
                if (item instanceof YamlNode.Scalar sc && !sc.isNull() && editable(sc.text(), list, request)) {
                    String name = sc.text().toLowerCase(Locale.ROOT);
                    YamlNode.Mark first = here.putIfAbsent(name, sc.mark());
                    if (first != null) {
                        problems.add(sc.mark(), "header '" + name + "' is already in 'remove' at line "
                                + first.line());
                    } else {
                        reportIfSeen(name, sc.mark(), seen);
                    }
                }
            }
        }
        here.forEach(seen::putIfAbsent);
    }

    /** Whether {@code name} may be in {@code list}; one that may not was reported already. */
    private static boolean editable(String name, String list, boolean request) {
        try {
            editName(name, list, request);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private void reportIfSeen(String name, YamlNode.Mark at, Map<String, YamlNode.Mark> seen) {
        YamlNode.Mark first = seen.get(name);
        if (first != null) {
            problems.add(at, "header '" + name + "' is already edited at line " + first.line()
                    + ": name each header in one of set, add and remove");
        }
    }

    private static String editName(String text, String list, boolean request) {
        String name = fieldName(text);
        String why = NOT_EDITABLE.get(name);
        if (why != null) {
            throw new IllegalArgumentException("header '" + name + "' cannot be edited: " + why);
        }
        if (name.equals("host")) {
            if (!request) {
                throw new IllegalArgumentException("'host' is a request header; a response has none");
            }
            if (!list.equals("set")) {
                throw new IllegalArgumentException("'host' can only be set: a request has exactly one Host"
                        + " (RFC 9112 3.2)");
            }
        }
        if (request && name.equals("expect")) {
            throw new IllegalArgumentException("header 'expect' cannot be edited: Bascule answers"
                    + " 100-continue itself and sends the body once an origin is ready");
        }
        return name;
    }

    /** A {@code redirect} block; null when absent or bad (reported). */
    RedirectConfig redirect(YamlNode node) {
        Fields f = node == null ? null : Fields.open(node, "'redirect'", problems, REDIRECT_KEYS);
        if (f == null) {
            return null;
        }
        String to = f.parsedRequired("to", RouteRulesBinder::parseRedirectTarget);
        int status = f.integer("status", 100, 599, RedirectConfig.DEFAULT_STATUS);
        if (!REDIRECT_STATUSES.contains(status)) {
            problems.add(f.valueMark("status"), "redirect status must be 301, 302, 303, 307 or 308, found "
                    + status);
        }
        boolean keepPath = f.bool("keep_path", false);
        if (to != null && keepPath && (to.indexOf('?') >= 0 || to.indexOf('#') >= 0)) {
            problems.add(f.valueMark("to"), "with keep_path: true, 'to' cannot have a query or a fragment: the"
                    + " request's path and query are appended to it");
        }
        return to == null ? null : new RedirectConfig(to, status, keepPath);
    }

    /**
     * An absolute {@code http(s)} URL with a host, or an absolute path (RFC 9110 10.2.2): visible ASCII only, so
     * it goes into Location as written.
     */
    static String parseRedirectTarget(String text) {
        if (!text.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
            throw new IllegalArgumentException("redirect 'to' '" + text + "' must be visible ASCII without spaces;"
                    + " percent-encode anything else");
        }
        int authority = text.startsWith("https://") ? 8 : text.startsWith("http://") ? 7 : -1;
        if (authority > 0) {
            int end = authority;
            while (end < text.length() && "/?#".indexOf(text.charAt(end)) < 0) {
                end++;
            }
            if (end == authority) {
                throw new IllegalArgumentException("redirect 'to' '" + text + "' has no host");
            }
            return text;
        }
        if (text.startsWith("/") && !text.startsWith("//")) {
            return text;
        }
        throw new IllegalArgumentException("redirect 'to' '" + text + "' must be an http:// or https:// URL, or a"
                + " path starting with '/'");
    }

    /**
     * A mapping of names to scalar values, each name and value checked; bad ones are reported and left out. An
     * empty value ({@code x:}) is an error: write {@code ""} for the empty string.
     *
     * @param name parses a key; its IllegalArgumentException becomes the error, at the key
     * @param value checks a value, likewise at the value
     */
    private Map<String, String> pairs(YamlNode node, String key, Function<String, String> name,
            Function<String, String> value) {
        if (node == null) {
            return Map.of();
        }
        if (!(node instanceof YamlNode.Mapping m)) {
            problems.add(node.mark(), "'" + key + "' must be a mapping of names to values, found " + node.describe());
            return Map.of();
        }
        Map<String, String> pairs = new LinkedHashMap<>();
        Map<String, YamlNode.Mark> lower = new HashMap<>();
        for (YamlNode.Entry e : m.entries()) {
            String n;
            try {
                n = name.apply(e.key());
            } catch (IllegalArgumentException ex) {
                problems.add(e.keyMark(), ex.getMessage());
                continue;
            }
            YamlNode.Mark first = lower.putIfAbsent(n.toLowerCase(Locale.ROOT), e.keyMark());
            if (first != null) {
                problems.add(e.keyMark(), "'" + e.key() + "' is already in '" + key + "' at line " + first.line()
                        + " (names are compared without case)");
                continue;
            }
            if (!(e.value() instanceof YamlNode.Scalar s)) {
                problems.add(e.value().mark(), "the value of '" + e.key() + "' must be a single value, found "
                        + e.value().describe());
                continue;
            }
            if (s.isNull()) {
                problems.add(e.keyMark(), "'" + e.key() + "' needs a value (write \"\" for an empty one)");
                continue;
            }
            try {
                pairs.put(n, value.apply(s.text()));
            } catch (IllegalArgumentException ex) {
                problems.add(s.mark(), ex.getMessage());
            }
        }
        return pairs;
    }

    /** RFC 9110 5.1: a field name is a token; kept in lower case, as names ignore case. */
    static String fieldName(String text) {
        if (text.isEmpty() || !text.chars().allMatch(RouteRulesBinder::isTokenChar)) {
            throw new IllegalArgumentException("bad header name '" + text + "': expected a token such as x-release");
        }
        return text.toLowerCase(Locale.ROOT);
    }

    /**
     * RFC 9110 5.5: visible ASCII, with spaces and tabs inside only; a value that starts or ends with whitespace
     * could never match, as field values are read without it.
     */
    static String checkFieldValue(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c > ' ' && c < 0x7f) && c != ' ' && c != '\t') {
                throw new IllegalArgumentException("bad header value '" + text + "': use visible ASCII, spaces and"
                        + " tabs only");
            }
        }
        if (!text.isEmpty() && (isSpace(text.charAt(0)) || isSpace(text.charAt(text.length() - 1)))) {
            throw new IllegalArgumentException("header value '" + text + "' starts or ends with whitespace, which"
                    + " is not part of a field value (RFC 9110 5.5)");
        }
        return text;
    }

    /** A header value to send: as {@link #checkFieldValue}, and no nginx-style variable, which would go as written. */
    static String checkEditValue(String text) {
        checkFieldValue(text);
        for (int i = 0; i + 1 < text.length(); i++) {
            char next = text.charAt(i + 1);
            if (text.charAt(i) == '$' && (Character.isLetter(next) || next == '_' || next == '{')) {
                throw new IllegalArgumentException("header value '" + text + "' looks like it uses a variable:"
                        + " values are fixed strings and would be sent as written");
            }
        }
        return text;
    }

    /** RFC 6265 4.1.1: cookie-name is a token. */
    static String checkCookieName(String text) {
        if (text.isEmpty() || !text.chars().allMatch(RouteRulesBinder::isTokenChar)) {
            throw new IllegalArgumentException("bad cookie name '" + text + "': expected a token such as release");
        }
        return text;
    }

    /** RFC 6265 4.1.1: cookie-octets (no space, DQUOTE, comma, semicolon or backslash); may be empty. */
    static String checkCookieValue(String text) {
        boolean ok = text.chars().allMatch(c -> c > ' ' && c < 0x7f && c != '"' && c != ',' && c != ';'
                && c != '\\');
        if (!ok) {
            throw new IllegalArgumentException("bad cookie value '" + text + "': a cookie value has no spaces,"
                    + " quotes, commas, semicolons or backslashes (RFC 6265 4.1.1)");
        }
        return text;
    }

    /** A query parameter name as it reads once decoded: not empty, no control characters. */
    static String checkQueryName(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("a query parameter name cannot be empty");
        }
        return checkQueryText(text);
    }

    /** A query name or value as it reads once decoded: any text but control characters. */
    static String checkQueryText(String text) {
        if (!text.chars().noneMatch(c -> c < ' ' || c == 0x7f)) {
            throw new IllegalArgumentException("bad query text '" + text + "': control characters never match");
        }
        return text;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    static boolean isTokenChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
