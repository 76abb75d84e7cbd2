package dev.bascule.metrics;

import dev.bascule.control.LiveSnapshot;
import dev.bascule.control.Mirror;
import dev.bascule.control.RouteAction;
import dev.bascule.route.Route;
import dev.bascule.stats.StatusCounts;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The counters of routes' mirrors, read when scraped from each mirroring route of the live snapshot: copies sent,
 * dropped, answered by status, and out now.
 *
 * <p>Threading: the callbacks run on the scraping thread and read atomics only.
 */
final class MirrorMetrics {
    private MirrorMetrics() {}

    static void register(PrometheusRegistry registry, LiveSnapshot live) {
        CounterWithCallback.builder()
                .name("bascule_mirror_requests_total")
                .help("Copies of a route's requests written to a server of its mirror upstream")
                .labelNames("route", "upstream")
                .callback(cb -> each(live, (route, m) -> cb.call(m.stats().sentTotal(), route, m.pool().name())))
                .register(registry);
        CounterWithCallback.builder()
                .name("bascule_mirror_dropped_total")
                .help("Requests chosen for a copy that got none: max_in_flight copies out, no routable server or no"
                        + " connection room on the mirror upstream, its connection failed, or the body was larger than"
                        + " the 64 KiB replay buffer")
                .labelNames("route", "upstream")
                .callback(cb -> each(live, (route, m) -> cb.call(m.stats().droppedTotal(), route, m.pool().name())))
                .register(registry);
        CounterWithCallback.builder()
                .name("bascule_mirror_responses_total")
                .help("Answers of the mirror upstream to copies, by status (thrown away; copies with no answer are"
                        + " the difference from bascule_mirror_requests_total)")
                .labelNames("route", "upstream", "code")
                .callback(cb -> each(live, (route, m) -> m.stats().responses().forEach((count, code) ->
                        cb.call(count, route, m.pool().name(),
                                code == StatusCounts.OTHER ? "other" : Integer.toString(code)))))
                .register(registry);
        GaugeWithCallback.builder()
                .name("bascule_mirror_in_flight")
                .help("Copies sent and not answered yet, of each mirroring route (at most its max_in_flight)")
                .labelNames("route", "upstream")
                .callback(cb -> each(live, (route, m) -> cb.call(m.stats().inFlight(), route, m.pool().name())))
                .register(registry);
    }

    /** Each mirroring route of the live snapshot once, by label (two routes never share a label). */
    private static void each(LiveSnapshot live, BiConsumer<String, Mirror> each) {
        Map<String, Mirror> unique = new LinkedHashMap<>();
        for (Route<RouteAction> r : live.get().routes().routes()) {
            Mirror m = r.target().mirror();
            if (m != null) {
                unique.putIfAbsent(r.target().label(), m);
            }
        }
        unique.forEach(each);
    }
}
