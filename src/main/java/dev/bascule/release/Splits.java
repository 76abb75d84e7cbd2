package dev.bascule.release;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Split arithmetic: integer weights per upstream that sum to 100.
 *
 * <p>Stateless.
 */
public final class Splits {
    public static final int TOTAL = 100;

    private Splits() {}

    /**
     * The split that gives {@code to} a share of {@code share} percent and divides the rest among the other
     * upstreams of {@code from} in their proportions there (largest remainder, so the weights are integers that
     * sum to 100; ties go to the upstream listed first). When every other upstream had 0, the rest is divided
     * evenly among them.
     *
     * @param from the split to start from, in route order; must contain {@code to}
     * @return a new map in the same order
     */
    public static Map<String, Integer> withShare(Map<String, Integer> from, String to, int share) {
        if (!from.containsKey(to)) {
            throw new IllegalArgumentException("upstream " + to + " is not in the split " + from.keySet());
        }
        if (share < 0 || share > TOTAL) {
            throw new IllegalArgumentException("share " + share + " is not within 0..100");
        }
        List<String> others = new ArrayList<>();
        long otherTotal = 0;
        for (Map.Entry<String, Integer> e : from.entrySet()) {
            if (!e.getKey().equals(to)) {
                others.add(e.getKey());
                otherTotal += e.getValue();
            }
        }
        int rest = TOTAL - share;
        Map<String, Integer> result = new LinkedHashMap<>();
        for (String name : from.keySet()) {
            result.put(name, 0);
        }
        result.put(to, share);
        if (others.isEmpty()) {
            if (rest != 0) {
                throw new IllegalArgumentException("a split of " + to + " alone cannot give it " + share + "%");
            }
            return Collections.unmodifiableMap(result);
        }
        double[] exact = new double[others.size()];
        int given = 0;
        for (int i = 0; i < others.size(); i++) {
            double part = otherTotal == 0 ? (double) rest / others.size()
                    : (double) rest * from.get(others.get(i)) / otherTotal;
            exact[i] = part;
            int floor = (int) Math.floor(part);
            result.put(others.get(i), floor);
            given += floor;
        }
        for (int left = rest - given; left > 0; left--) {
            int best = -1;
            double bestFraction = -1;
            for (int i = 0; i < others.size(); i++) {
                double fraction = exact[i] - Math.floor(exact[i]);
                if (fraction > bestFraction) {
                    best = i;
                    bestFraction = fraction;
                }
            }
            String name = others.get(best);
            result.put(name, result.get(name) + 1);
            exact[best] = Math.floor(exact[best]); // takes at most one extra
        }
        return Collections.unmodifiableMap(result);
    }

    /** Whether {@code split} has non-negative integer weights that sum to 100. */
    public static boolean valid(Map<String, Integer> split) {
        int sum = 0;
        for (int w : split.values()) {
            if (w < 0) {
                return false;
            }
            sum += w;
        }
        return sum == TOTAL && !split.isEmpty();
    }
}
