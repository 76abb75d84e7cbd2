package dev.bascule.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the servers origins registered under {@code upstreams/}: a key {@code <upstream>/servers/<address>}
 * whose value is {@code {"weight": N}} (1 to 1000), or empty for weight 1. A key of another shape or a value that
 * does not read is skipped and logged once: one origin's typo must not take the others out.
 *
 * <p>Threading: the fleet's thread.
 */
final class Registrations {
    private static final Logger log = LoggerFactory.getLogger(Registrations.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> reported = java.util.Collections.synchronizedSet(new HashSet<>());

    private Registrations() {}

    /** @param entries keys below {@code upstreams/} and their values */
    static Map<String, Map<String, Integer>> of(Map<String, PrefixFollower.Entry> entries) {
        Map<String, Map<String, Integer>> out = new LinkedHashMap<>();
        for (Map.Entry<String, PrefixFollower.Entry> e : entries.entrySet()) {
            String key = e.getKey();
            int slash = key.indexOf("/servers/");
            if (slash <= 0 || key.indexOf('/') != slash || key.length() == slash + "/servers/".length()) {
                once(key, "not of the form <upstream>/servers/<host:port>");
                continue;
            }
            String upstream = key.substring(0, slash);
            String address = key.substring(slash + "/servers/".length());
            Integer weight = weight(e.getValue().value());
            if (weight == null) {
                once(key, "the value must be empty or {\"weight\": N} with N from 1 to 1000, found '"
                        + e.getValue().value() + "'");
                continue;
            }
            out.computeIfAbsent(upstream, u -> new LinkedHashMap<>()).put(address, weight);
        }
        return out;
    }

    private static Integer weight(String value) {
        if (value.isBlank()) {
            return 1;
        }
        try {
            JsonNode n = JSON.readTree(value);
            if (n == null || !n.isObject()) {
                return null;
            }
            JsonNode w = n.get("weight");
            if (w == null) {
                return 1;
            }
            if (!w.isInt() || w.asInt() < 1 || w.asInt() > 1000) {
                return null;
            }
            return w.asInt();
        } catch (IOException e) {
            return null;
        }
    }

    private static void once(String key, String why) {
        if (reported.add(key + " " + why)) {
            log.warn("fleet: registration upstreams/{} skipped: {}", key, why);
        }
    }
}
