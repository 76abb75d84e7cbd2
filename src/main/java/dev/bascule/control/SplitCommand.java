package dev.bascule.control;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Checks the weights of a {@code PUT /routes/{name}/split} against the route's split: the rules of the file's
 * {@code split}, so the API can set nothing the file could not say.
 *
 * <p>Stateless.
 */
final class SplitCommand {
    private SplitCommand() {}

    /**
     * The weights to set, every upstream of the split in its order (0 for one not named).
     *
     * @param split the file's weights of the route's split, in its order
     * @param upstreams every upstream of the config
     * @throws CommandException 400 for an unknown upstream or weights out of range or not adding up to 100; 409
     *     for an upstream that exists but is not in the split
     */
    static Map<String, Integer> weights(String route, Map<String, Integer> asked, Map<String, Integer> split,
            Set<String> upstreams) {
        if (asked.isEmpty()) {
            throw new CommandException(400, "no weights: expected {\"UPSTREAM\": WEIGHT, ...} adding up to 100");
        }
        int total = 0;
        for (Map.Entry<String, Integer> e : asked.entrySet()) {
            if (!upstreams.contains(e.getKey())) {
                throw new CommandException(400, "unknown upstream '" + e.getKey() + "'");
            }
            if (!split.containsKey(e.getKey())) {
                throw new CommandException(409, "route '" + route + "' has no split with upstream '" + e.getKey()
                        + "': its split is " + String.join(", ", split.keySet()));
            }
            int w = e.getValue();
            if (w < 0 || w > 100) {
                throw new CommandException(400, "weight of '" + e.getKey() + "' must be from 0 to 100, not " + w);
            }
            total += w;
        }
        if (total != 100) {
            throw new CommandException(400, "weights add up to " + total + "; they are percentages and must add up"
                    + " to 100");
        }
        Map<String, Integer> next = new LinkedHashMap<>();
        for (String upstream : split.keySet()) {
            next.put(upstream, asked.getOrDefault(upstream, 0));
        }
        return next;
    }
}
