package dev.bascule.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A route's weighted split across upstreams ({@code split:} instead of {@code upstream:}), and how a client is
 * kept on its side ({@code sticky:}).
 *
 * <p>Immutable.
 *
 * @param sides in the order written; at least two, distinct upstreams, weights from 0 to 100 that add up to
 *     {@link #TOTAL}
 * @param sticky what places a client on a side; null when requests are dealt out in turn instead
 */
public record SplitConfig(List<Side> sides, HashKeyConfig sticky) {
    /** What the weights of a split add up to: they are percentages. */
    public static final int TOTAL = 100;

    /** One upstream of a split and its share, in percent. */
    public record Side(String upstream, int weight) {}

    public SplitConfig {
        sides = List.copyOf(sides);
    }

    /** The weights by upstream, in the order written. */
    public Map<String, Integer> weights() {
        Map<String, Integer> weights = new LinkedHashMap<>();
        for (Side s : sides) {
            weights.put(s.upstream(), s.weight());
        }
        return Collections.unmodifiableMap(weights);
    }

    /** The same upstreams, in the same order, with {@code weights} (every side named; checked by the caller). */
    public SplitConfig withWeights(Map<String, Integer> weights) {
        List<Side> next = sides.stream().map(s -> new Side(s.upstream(), weights.getOrDefault(s.upstream(), 0)))
                .toList();
        return new SplitConfig(next, sticky);
    }

    /** {@code web-blue 90, web-green 10}: how messages and labels write a split. */
    public static String describe(Map<String, Integer> weights) {
        StringBuilder b = new StringBuilder();
        weights.forEach((upstream, weight) -> b.append(b.isEmpty() ? "" : ", ").append(upstream).append(' ')
                .append(weight));
        return b.toString();
    }
}
