package dev.bascule.metrics;

import dev.bascule.control.ListenerSettings;
import dev.bascule.control.LiveSnapshot;
import dev.bascule.control.Pool;
import dev.bascule.control.RouteAction;
import dev.bascule.control.Snapshot;
import dev.bascule.route.Route;
import dev.bascule.stats.LatencyHistogram;
import dev.bascule.stats.ListenerStats;
import dev.bascule.stats.LocalReason;
import dev.bascule.stats.RetryReason;
import dev.bascule.stats.RouteSeries;
import dev.bascule.stats.RouteStats;
import dev.bascule.stats.StatsRegistry;
import dev.bascule.stats.StatusCounts;
import dev.bascule.upstream.Server;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The request counters, read when scraped from the recorders the exchange events fed ({@code dev.bascule.stats}):
 * requests by listener, route, upstream and status; gRPC statuses; request and upstream latency histograms;
 * upstream answers, connect failures and retries; local answers by reason; client connections, bytes and TLS
 * handshake failures by listener. Every series is walked from the live snapshot, so a route, upstream, server or
 * listener that a reload removed is gone from the next scrape.
 *
 * <p>Threading: the callbacks run on the scraping thread and read atomics only.
 */
final class RequestMetrics {
    private static final double[] BOUNDS = withInfinity(LatencyHistogram.boundsSeconds());

    private final LiveSnapshot live;
    private final StatsRegistry stats;

    private RequestMetrics(LiveSnapshot live, StatsRegistry stats) {
        this.live = live;
        this.stats = stats;
    }

    static void register(PrometheusRegistry registry, LiveSnapshot live, StatsRegistry stats) {
        RequestMetrics m = new RequestMetrics(live, stats);
        CounterWithCallback.builder()
                .name("bascule_requests_total")
                .help("Requests by the status sent to the client (499: the client went away before an answer was"
                        + " sent); route and upstream are \"\" for requests no route matched")
                .labelNames("listener", "route", "upstream", "code")
                .callback(cb -> m.eachSeries((listener, series) -> series.requests(listener).forEach(
                        (count, code) -> cb.call(count, listener.name(), series.route(), series.upstream(),
                                codeLabel(code)))))
                .register(registry);
        CounterWithCallback.builder()
                .name("bascule_grpc_responses_total")
                .help("gRPC calls by the grpc-status they ended with, whether the origin's or Bascule's own")
                .labelNames("route", "upstream", "grpc_status")
                .callback(cb -> m.eachRoute(series -> {
                    for (int code = 0; code <= RouteStats.GRPC_CODES; code++) {
                        long n = series.stats().grpc(code);
                        if (n > 0) {
                            cb.call(n, series.route(), series.upstream(),
                                    code == RouteStats.GRPC_CODES ? "other" : Integer.toString(code));
                        }
                    }
                }))
                .register(registry);
        registry.register(new Histograms(m));
        CounterWithCallback.builder()
                .name("bascule_upstream_requests_total")
                .help("Attempts a server answered, by the status of its response head (a 5xx retried elsewhere"
                        + " counts here too)")
                .labelNames("upstream", "server", "code")
                .callback(cb -> m.eachServer((pool, s) -> s.state().stats().responses().forEach(
                        (count, code) -> cb.call(count, pool.name(), s.address(), codeLabel(code)))))
                .register(registry);
        CounterWithCallback.builder()
                .name("bascule_upstream_connect_failures_total")
                .help("Connections to the server that could not be opened (refused, unreachable, timed out, TLS)")
                .labelNames("upstream", "server")
                .callback(cb -> m.eachServer((pool, s) -> cb.call(s.state().stats().connectFailures(), pool.name(),
                        s.address())))
                .register(registry);
        CounterWithCallback.builder()
                .name("bascule_retries_total")
                .help("Requests sent again after a failed attempt, by why the attempt failed")
                .labelNames("upstream", "reason")
                .callback(cb -> {
                    for (Pool pool : live.get().pools().values()) {
                        for (RetryReason r : RetryReason.values()) {
                            cb.call(pool.stats().retries(r), pool.name(), r.label());
                        }
                    }
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("bascule_local_responses_total")
                .help("Requests Bascule answered itself instead of an origin, by reason")
                .labelNames("reason")
                .callback(cb -> {
                    for (LocalReason r : LocalReason.values()) {
                        cb.call(stats.localResponses(r), r.label());
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("bascule_client_connections_open")
                .help("Client connections open now, by listener and the protocol they speak (http1 or h2)")
                .labelNames("listener", "protocol")
                .callback(cb -> m.eachListener(l -> {
                    cb.call(l.open(ListenerStats.HTTP1), l.name(), ListenerStats.PROTOCOLS[ListenerStats.HTTP1]);
                    cb.call(l.open(ListenerStats.H2), l.name(), ListenerStats.PROTOCOLS[ListenerStats.H2]);
                }))
                .register(registry);
        CounterWithCallback.builder()
                .name("bascule_client_connections_accepted_total")
                .help("Client connections accepted, by listener and protocol; none: closed before speaking HTTP"
                        + " (a failed TLS handshake, a silent client)")
                .labelNames("listener", "protocol")
                .callback(cb -> m.eachListener(l -> {
                    for (int p = 0; p < ListenerStats.PROTOCOLS.length; p++) {
                        cb.call(l.accepted(p), l.name(), ListenerStats.PROTOCOLS[p]);
                    }
                }))
                .register(registry);
        CounterWithCallback.builder()
                .name("bascule_received_bytes_total")
                .help("Bytes of requests received, by listener (HTTP/1.1: heads and bodies as sent; HTTP/2: bodies)")
                .labelNames("listener")
                .callback(cb -> m.eachListener(l -> cb.call(l.received(), l.name())))
                .register(registry);
        CounterWithCallback.builder()
                .name("bascule_sent_bytes_total")
                .help("Bytes of responses sent, by listener (HTTP/1.1: heads and bodies as sent; HTTP/2: bodies)")
                .labelNames("listener")
                .callback(cb -> m.eachListener(l -> cb.call(l.sent(), l.name())))
                .register(registry);
        CounterWithCallback.builder()
                .name("bascule_tls_handshake_failures_total")
                .help("TLS handshakes with clients that failed, by listener")
                .labelNames("listener")
                .callback(cb -> m.eachListener(l -> cb.call(l.tlsHandshakeFailures(), l.name())))
                .register(registry);
    }

    private static String codeLabel(int code) {
        return code == StatusCounts.OTHER ? "other" : Integer.toString(code);
    }

    // ---- walking the live snapshot ----

    private interface SeriesVisitor {
        void visit(ListenerStats listener, RouteSeries series);
    }

    private interface ServerVisitor {
        void visit(Pool pool, Server server);
    }

    /** Each listener once, by name. */
    private void eachListener(Consumer<ListenerStats> each) {
        Set<String> seen = new HashSet<>();
        for (ListenerSettings l : live.get().listeners().values()) {
            if (seen.add(l.stats().name())) {
                each.accept(l.stats());
            }
        }
    }

    /** Each route series of the live snapshot once (routes with the same label and upstream share one). */
    private void eachRoute(Consumer<RouteSeries> each) {
        Snapshot s = live.get();
        Map<String, RouteSeries> unique = new LinkedHashMap<>();
        for (Route<RouteAction> r : s.routes().routes()) {
            for (RouteSeries series : r.target().allSeries()) { // a split route: one series per side
                unique.putIfAbsent(series.route() + '\n' + series.upstream(), series);
            }
        }
        unique.putIfAbsent("\n", s.unrouted());
        unique.values().forEach(each);
    }

    private void eachSeries(SeriesVisitor each) {
        List<ListenerStats> listeners = new ArrayList<>();
        eachListener(listeners::add);
        eachRoute(series -> {
            for (ListenerStats l : listeners) {
                each.visit(l, series);
            }
        });
    }

    /** Every member of every pool once per address: the same labels twice would fail the whole scrape. */
    private void eachServer(ServerVisitor each) {
        for (Pool pool : live.get().pools().values()) {
            Set<String> seen = new HashSet<>();
            for (Server s : pool.members()) {
                if (seen.add(s.address())) {
                    each.visit(pool, s);
                }
            }
        }
    }

    // ---- histograms ----

    private static double[] withInfinity(double[] bounds) {
        double[] b = java.util.Arrays.copyOf(bounds, bounds.length + 1);
        b[bounds.length] = Double.POSITIVE_INFINITY;
        return b;
    }

    private static HistogramDataPointSnapshot point(LatencyHistogram h, Labels labels) {
        long[] counts = new long[LatencyHistogram.bucketCount()];
        h.copyBuckets(counts);
        return new HistogramDataPointSnapshot(ClassicHistogramBuckets.of(BOUNDS, counts), h.sumSeconds(), labels,
                Exemplars.EMPTY, 0);
    }

    /** The two latency histograms, which the client library has no callback form of. */
    private static final class Histograms implements MultiCollector {
        private static final String DURATION = "bascule_request_duration_seconds";
        private static final String UPSTREAM = "bascule_upstream_response_seconds";
        private final RequestMetrics m;

        Histograms(RequestMetrics m) {
            this.m = m;
        }

        @Override
        public MetricSnapshots collect() {
            List<HistogramDataPointSnapshot> duration = new ArrayList<>();
            m.eachRoute(series -> duration.add(point(series.stats().duration(),
                    Labels.of("route", series.route(), "upstream", series.upstream()))));
            List<HistogramDataPointSnapshot> upstream = new ArrayList<>();
            m.eachServer((pool, s) -> upstream.add(point(s.state().stats().responseTime(),
                    Labels.of("upstream", pool.name(), "server", s.address()))));
            return new MetricSnapshots(
                    new HistogramSnapshot(new MetricMetadata(DURATION,
                            "Time from a request's head to the last byte of its answer, by route and upstream",
                            io.prometheus.metrics.model.snapshots.Unit.SECONDS), duration),
                    new HistogramSnapshot(new MetricMetadata(UPSTREAM,
                            "Time from an attempt's start (connect included) to the server's response head",
                            io.prometheus.metrics.model.snapshots.Unit.SECONDS), upstream));
        }

        @Override
        public List<String> getPrometheusNames() {
            return List.of(DURATION, UPSTREAM);
        }
    }
}
