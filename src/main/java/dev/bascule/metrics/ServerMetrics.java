package dev.bascule.metrics;

import dev.bascule.control.LiveSnapshot;
import dev.bascule.control.Pool;
import dev.bascule.control.StatusReport;
import dev.bascule.upstream.Server;
import dev.bascule.upstream.ServerState;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * What each server and upstream is doing, read at scrape time from the live snapshot and each server's {@link
 * ServerState}: the state that routing and the admin API's {@code /status} already read, never a copy of it. A
 * server or upstream that a reload (or a removal) took out of the snapshot is gone from the next scrape.
 *
 * <p>Threading: the callbacks run on the scraping thread; they read the snapshot's volatile reference and the
 * servers' atomic and volatile fields only.
 */
final class ServerMetrics {
    private final LiveSnapshot live;

    private ServerMetrics(LiveSnapshot live) {
        this.live = live;
    }

    /** @param nanoTime the control plane's clock, the one ejections are stamped with */
    static void register(PrometheusRegistry registry, LiveSnapshot live, LongSupplier nanoTime) {
        ServerMetrics m = new ServerMetrics(live);
        GaugeWithCallback.builder()
                .name("bascule_server_up")
                .help("1 when the server is healthy and routable (a candidate of its pool, which is not in panic),"
                        + " else 0")
                .labelNames("upstream", "server")
                .callback(cb -> m.eachServer((pool, s) -> cb.call(routable(pool, s) ? 1 : 0, pool.name(), s.address())))
                .register(registry);
        GaugeWithCallback.builder()
                .name("bascule_server_state")
                .help("The server's state as GET /status names it, one series per state: 1 for the current one"
                        + " (healthy, unhealthy, ejected or draining), 0 for the others")
                .labelNames("upstream", "server", "state")
                .callback(cb -> {
                    long now = nanoTime.getAsLong();
                    m.eachServer((pool, s) -> {
                        String current = StatusReport.stateLabel(s.state(), now);
                        for (String state : StatusReport.STATES) {
                            cb.call(state.equals(current) ? 1 : 0, pool.name(), s.address(), state);
                        }
                    });
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("bascule_server_in_flight")
                .help("Requests the server is handling now, from every event loop")
                .labelNames("upstream", "server")
                .callback(cb -> m.eachServer((pool, s) -> cb.call(s.state().inFlight(), pool.name(), s.address())))
                .register(registry);
        CounterWithCallback.builder()
                .name("bascule_ejections_total")
                .help("Times passive health checks ejected the server")
                .labelNames("upstream", "server")
                .callback(cb -> m.eachServer((pool, s) -> cb.call(s.state().ejections(), pool.name(), s.address())))
                .register(registry);
        GaugeWithCallback.builder()
                .name("bascule_upstream_connections_open")
                .help("Origin connections open to the server now (connecting, busy or idle), on every event loop")
                .labelNames("upstream", "server")
                .callback(cb -> m.eachServer(
                        (pool, s) -> cb.call(s.state().openConnections(), pool.name(), s.address())))
                .register(registry);
        GaugeWithCallback.builder()
                .name("bascule_upstream_queue_length")
                .help("Requests waiting now for a connection to the upstream (every server they may use is at its"
                        + " max_connections), on every event loop")
                .labelNames("upstream")
                .callback(cb -> {
                    for (Pool pool : live.get().pools().values()) {
                        cb.call(pool.queueLength(), pool.name());
                    }
                })
                .register(registry);
    }

    /**
     * Every member of every pool of the live snapshot, once per address: a series with the same labels twice would
     * fail the whole scrape.
     */
    private void eachServer(BiConsumer<Pool, Server> each) {
        for (Pool pool : live.get().pools().values()) {
            Set<String> seen = new HashSet<>();
            for (Server s : pool.members()) {
                if (seen.add(s.address())) {
                    each.accept(pool, s);
                }
            }
        }
    }

    /**
     * Among the servers the balancer chooses from, outside panic (where every non-draining member is chosen from,
     * healthy or not). Compared by state: under slow start a candidate is a copy of the member with less weight.
     */
    static boolean routable(Pool pool, Server member) {
        if (pool.panic()) {
            return false;
        }
        List<Server> candidates = pool.candidates();
        for (int i = 0; i < candidates.size(); i++) {
            if (candidates.get(i).state() == member.state()) {
                return true;
            }
        }
        return false;
    }
}
