package dev.bascule.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The conditions of a route's {@code match} beyond host and path: every one given must hold.
 *
 * @param headers header name (lower case) to the exact value one of its field lines must have
 * @param cookies cookie name to the exact value of the first cookie of that name
 * @param query query parameter name to the exact value of its first occurrence, compared percent-decoded
 * @param methods the request methods accepted (case-sensitive, RFC 9110 9.1); empty for any
 */
public record RequestMatchConfig(Map<String, String> headers, Map<String, String> cookies, Map<String, String> query,
        List<String> methods) {

    public static final RequestMatchConfig NONE = new RequestMatchConfig(Map.of(), Map.of(), Map.of(), List.of());

    public RequestMatchConfig {
        headers = ordered(headers);
        cookies = ordered(cookies);
        query = ordered(query);
        methods = List.copyOf(methods);
    }

    /** Keeps the order written (explain lists conditions as the file does); equality ignores it. */
    private static Map<String, String> ordered(Map<String, String> map) {
        return map.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    public boolean isEmpty() {
        return headers.isEmpty() && cookies.isEmpty() && query.isEmpty() && methods.isEmpty();
    }

    /**
     * The conditions written compactly for a route label, in brackets: {@code [x-release=green]}, {@code
     * [cookie:release=green,?v=2,GET|HEAD]}. Headers, then cookies ({@code cookie:}), query parameters ({@code
     * ?}) and methods; each kind sorted, so the label does not depend on the order the file lists them in. Empty
     * when there is no condition, so a route without one keeps the label it always had.
     */
    public String label() {
        if (isEmpty()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        new TreeMap<>(headers).forEach((k, v) -> parts.add(k + "=" + v));
        new TreeMap<>(cookies).forEach((k, v) -> parts.add("cookie:" + k + "=" + v));
        new TreeMap<>(query).forEach((k, v) -> parts.add("?" + k + "=" + v));
        if (!methods.isEmpty()) {
            List<String> sorted = new ArrayList<>(methods);
            Collections.sort(sorted);
            parts.add(String.join("|", sorted));
        }
        return "[" + String.join(",", parts) + "]";
    }
}
