package dev.bascule.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bascule.control.RolloutTotals;
import dev.bascule.release.StepFigures;
import dev.bascule.stats.LatencyHistogram;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The running totals each instance publishes for every live rollout, under {@code figures/<route>/<node>} and its
 * own lease, so the driver judges the whole fleet: requests, 5xx answers and the latency histogram's bucket counts
 * of the {@code to} side and of the other sides.
 *
 * <p>Threading: {@link #of} and {@link #encode} anywhere; an instance's copy is replaced whole on the fleet's
 * thread and read on the control thread.
 */
final class PublishedFigures {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PublishedFigures() {}

    static byte[] encode(RolloutTotals t) {
        ObjectNode root = JSON.createObjectNode();
        write(root.putObject("to"), t.to());
        write(root.putObject("others"), t.others());
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(ObjectNode o, StepFigures f) {
        o.put("requests", f.requests());
        o.put("errors", f.errors());
        ArrayNode b = o.putArray("buckets");
        for (long n : f.buckets()) {
            b.add(n);
        }
    }

    /**
     * The published totals below {@code figures/}, by route and then instance, this instance's own left out. A
     * value that does not read (another version's layout) is left out.
     */
    static Map<String, Map<String, RolloutTotals>> of(Map<String, PrefixFollower.Entry> entries, String self) {
        Map<String, Map<String, RolloutTotals>> out = new HashMap<>();
        for (Map.Entry<String, PrefixFollower.Entry> e : entries.entrySet()) {
            int slash = e.getKey().lastIndexOf('/');
            if (slash <= 0) {
                continue;
            }
            String route = e.getKey().substring(0, slash);
            String node = e.getKey().substring(slash + 1);
            if (node.equals(self)) {
                continue;
            }
            RolloutTotals t = decode(e.getValue().value());
            if (t != null) {
                out.computeIfAbsent(route, r -> new HashMap<>()).put(node, t);
            }
        }
        return out;
    }

    private static RolloutTotals decode(String json) {
        try {
            JsonNode root = JSON.readTree(json);
            StepFigures to = read(root.get("to"));
            StepFigures others = read(root.get("others"));
            return to == null || others == null ? null : new RolloutTotals(to, others);
        } catch (IOException e) {
            return null;
        }
    }

    private static StepFigures read(JsonNode o) {
        if (o == null || !o.path("buckets").isArray() || o.get("buckets").size() != LatencyHistogram.bucketCount()) {
            return null;
        }
        long[] buckets = new long[LatencyHistogram.bucketCount()];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = o.get("buckets").get(i).asLong();
        }
        return new StepFigures(o.path("requests").asLong(), o.path("errors").asLong(), buckets);
    }
}
