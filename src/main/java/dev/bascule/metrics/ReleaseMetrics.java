package dev.bascule.metrics;

import dev.bascule.control.LiveSnapshot;
import dev.bascule.control.RouteAction;
import dev.bascule.control.RouteSplit;
import dev.bascule.route.Route;
import dev.bascule.stats.RolloutCounts;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.HashSet;
import java.util.Set;

/**
 * The weights of split routes, read from the live snapshot when scraped: the file's, or those set through the
 * admin API since (a rollout's steps included). Each side's requests count in {@code bascule_requests_total} under
 * its own upstream. And the rollouts ended, by route and result.
 *
 * <p>Threading: the callbacks run on the scraping thread and read the immutable snapshot and atomic counts only.
 */
final class ReleaseMetrics {
    private ReleaseMetrics() {}

    static void register(PrometheusRegistry registry, LiveSnapshot live, RolloutCounts rollouts) {
        GaugeWithCallback.builder()
                .name("bascule_route_split_weight")
                .help("The weight in percent of each upstream of a split route, as configured or set through the"
                        + " admin API (a side whose every server is down keeps its weight here while its share goes"
                        + " to the others)")
                .labelNames("route", "upstream")
                .callback(cb -> {
                    Set<String> seen = new HashSet<>();
                    for (Route<RouteAction> r : live.get().routes().routes()) {
                        RouteSplit split = r.target().split();
                        if (split == null || !seen.add(r.target().label())) {
                            continue;
                        }
                        for (RouteSplit.Side side : split.sides()) {
                            cb.call(side.weight(), r.target().label(), side.upstream());
                        }
                    }
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("bascule_rollouts_total")
                .help("Rollouts ended, by result: done (the last step passed, or promoted), rolled_back (the guard saw"
                        + " a breach), aborted (through the admin API, or a reload took the route's split away)")
                .labelNames("route", "result")
                .callback(cb -> {
                    for (RolloutCounts.Count c : rollouts.all()) {
                        cb.call(c.value(), c.route(), c.result());
                    }
                })
                .register(registry);
    }
}
