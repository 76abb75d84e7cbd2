package dev.bascule.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Rollouts ended, by route and result ({@code done}, {@code rolled_back}, {@code aborted}), for {@code
 * bascule_rollouts_total}. Kept for the life of the process: a count does not go when its route does.
 *
 * <p>Threading: counted on the control thread, read by scrapes on any thread; lock-free.
 */
public final class RolloutCounts {
    /** A count and what it counts. */
    public record Count(String route, String result, long value) {}

    private final Map<String, Map<String, AtomicLong>> byRoute = new ConcurrentSkipListMap<>();

    public void count(String route, String result) {
        byRoute.computeIfAbsent(route, r -> new ConcurrentHashMap<>())
                .computeIfAbsent(result, r -> new AtomicLong()).incrementAndGet();
    }

    public long get(String route, String result) {
        AtomicLong n = byRoute.getOrDefault(route, Map.of()).get(result);
        return n == null ? 0 : n.get();
    }

    /** Every count so far, by route name. */
    public List<Count> all() {
        List<Count> all = new ArrayList<>();
        byRoute.forEach((route, results) -> results.forEach((result, n) -> all.add(new Count(route, result,
                n.get()))));
        return all;
    }
}
