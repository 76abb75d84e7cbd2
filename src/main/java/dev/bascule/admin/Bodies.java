package dev.bascule.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bascule.control.CommandException;
import dev.bascule.release.RolloutPlan;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The request bodies of the commands, read strictly: unknown fields, missing fields and wrong types are 400s
 * with a message naming the field, never a silent default. Ranges (weight 1-1000, address syntax) are checked by
 * the control plane, which owns those rules.
 *
 * <p>Stateless.
 */
final class Bodies {
    /** Weight of a server added without one, as in the config. */
    static final int DEFAULT_WEIGHT = 1;

    /** The body of {@code POST /upstreams/{name}/servers}. */
    record NewServer(String address, int weight) {}

    private Bodies() {}

    /** {@code {"address": "127.0.0.1:9005", "weight": 1}}, weight optional. */
    static NewServer newServer(byte[] body) {
        ObjectNode o = Json.readObject(body);
        onlyFields(o, List.of("address", "weight"));
        JsonNode address = o.get("address");
        if (address == null || address.isNull()) {
            throw Json.badBody("missing field 'address'");
        }
        if (!address.isTextual()) {
            throw Json.badBody("'address' must be a string like \"127.0.0.1:9005\"");
        }
        int weight = o.has("weight") ? weight(o.get("weight")) : DEFAULT_WEIGHT;
        return new NewServer(address.textValue(), weight);
    }

    /** {@code {"weight": 3}}. */
    static int newWeight(byte[] body) {
        ObjectNode o = Json.readObject(body);
        onlyFields(o, List.of("weight"));
        if (!o.has("weight")) {
            throw Json.badBody("missing field 'weight'");
        }
        return weight(o.get("weight"));
    }

    /**
     * {@code {"web-blue": 80, "web-green": 20}}: a split's weights by upstream. Integers only; which upstreams,
     * their range and their sum are the control plane's to check.
     */
    static Map<String, Integer> splitWeights(byte[] body) {
        ObjectNode o = Json.readObject(body);
        Map<String, Integer> weights = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode n = e.getValue();
            if (!n.isIntegralNumber() || !n.canConvertToInt()) {
                throw Json.badBody("the weight of '" + e.getKey() + "' must be an integer from 0 to 100");
            }
            weights.put(e.getKey(), n.intValue());
        }
        return weights;
    }

    /** The guard of a rollout that names none: at most 1% errors, a p99 at most 1.5 times the other side's. */
    static final RolloutPlan.Guard DEFAULT_GUARD = new RolloutPlan.Guard(0.01, 1.5, 100);

    /**
     * {@code {"to": "web-green", "steps": [5, 25, 50, 100], "step_interval": "30s", "guard": {"max_error_rate":
     * 0.01, "max_p99_ratio": 1.5, "min_requests": 100}}}: {@code guard} and each of its fields optional (the
     * defaults of {@link #DEFAULT_GUARD}).
     *
     * @throws CommandException 400 naming the field, or with the plan's own rule that is broken
     */
    static RolloutPlan rolloutPlan(byte[] body) {
        ObjectNode o = Json.readObject(body);
        onlyFields(o, List.of("to", "steps", "step_interval", "guard"));
        JsonNode to = o.get("to");
        if (to == null || !to.isTextual() || to.textValue().isEmpty()) {
            throw Json.badBody("'to' must name the upstream to move traffic to");
        }
        JsonNode stepsNode = o.get("steps");
        if (stepsNode == null || !stepsNode.isArray()) {
            throw Json.badBody("'steps' must be a list of shares in percent, such as [5, 25, 50, 100]");
        }
        List<Integer> steps = new ArrayList<>();
        for (JsonNode n : stepsNode) {
            if (!n.isIntegralNumber() || !n.canConvertToInt()) {
                throw Json.badBody("'steps' must be integers from 1 to 100, found " + n);
            }
            steps.add(n.intValue());
        }
        JsonNode interval = o.get("step_interval");
        if (interval == null || !interval.isTextual()) {
            throw Json.badBody("'step_interval' must be a duration such as \"30s\"");
        }
        long intervalMillis = durationMillis(interval.textValue());
        RolloutPlan.Guard guard = DEFAULT_GUARD;
        try {
            JsonNode g = o.get("guard");
            if (g != null && !g.isNull()) {
                if (!g.isObject()) {
                    throw Json.badBody("'guard' must be an object");
                }
                onlyFields((ObjectNode) g, List.of("max_error_rate", "max_p99_ratio", "min_requests"));
                guard = new RolloutPlan.Guard(
                        number(g, "max_error_rate", DEFAULT_GUARD.maxErrorRate()),
                        number(g, "max_p99_ratio", DEFAULT_GUARD.maxP99Ratio()),
                        count(g, "min_requests", DEFAULT_GUARD.minRequests()));
            }
            return new RolloutPlan(to.textValue(), steps, intervalMillis, guard);
        } catch (IllegalArgumentException e) {
            throw Json.badBody(e.getMessage());
        }
    }

    /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}: one number, one unit, greater than zero. */
    static long durationMillis(String text) {
        int digits = 0;
        while (digits < text.length() && text.charAt(digits) >= '0' && text.charAt(digits) <= '9') {
            digits++;
        }
        String unit = text.substring(digits);
        long scale = switch (unit) {
            case "ms" -> 1;
            case "s" -> 1_000;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            default -> 0;
        };
        if (digits == 0 || digits > 9 || scale == 0) {
            throw Json.badBody("'step_interval' must be a number with a unit (ms, s, m, h), such as \"30s\"; found \""
                    + text + "\"");
        }
        long millis = Long.parseLong(text.substring(0, digits)) * scale;
        if (millis == 0) {
            throw Json.badBody("'step_interval' must be greater than zero");
        }
        return millis;
    }

    private static double number(JsonNode o, String field, double fallback) {
        JsonNode n = o.get(field);
        if (n == null) {
            return fallback;
        }
        if (!n.isNumber()) {
            throw Json.badBody("'" + field + "' must be a number");
        }
        return n.doubleValue();
    }

    private static long count(JsonNode o, String field, long fallback) {
        JsonNode n = o.get(field);
        if (n == null) {
            return fallback;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw Json.badBody("'" + field + "' must be an integer");
        }
        return n.longValue();
    }

    private static int weight(JsonNode n) {
        // 2.0 and "2" are refused too: a type mistake in a script should surface, not be coerced.
        if (n.isIntegralNumber() && n.canConvertToInt()) {
            return n.intValue();
        }
        throw Json.badBody("'weight' must be an integer from 1 to 1000");
    }

    private static void onlyFields(ObjectNode o, List<String> allowed) {
        for (Iterator<String> names = o.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new CommandException(400, "unknown field '" + name + "'; allowed: " + String.join(", ", allowed));
            }
        }
    }
}
