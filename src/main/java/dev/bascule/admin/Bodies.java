package dev.bascule.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bascule.control.CommandException;
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
