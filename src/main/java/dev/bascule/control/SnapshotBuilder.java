package dev.bascule.control;

import dev.bascule.balance.Balancer;
import dev.bascule.balance.Balancers;
import dev.bascule.config.BasculeConfig;
import dev.bascule.config.Cidr;
import dev.bascule.config.RateLimitConfig;
import dev.bascule.config.HashKeyConfig;
import dev.bascule.config.HostPort;
import dev.bascule.config.LimitsConfig;
import dev.bascule.config.MirrorConfig;
import dev.bascule.config.RetryConfig;
import dev.bascule.config.RouteConfig;
import dev.bascule.config.TimeoutsConfig;
import dev.bascule.config.UpstreamConfig;
import dev.bascule.config.UpstreamTlsConfig;
import dev.bascule.stats.RouteSeries;
import dev.bascule.stats.StatsRegistry;
import dev.bascule.tls.OriginTls;
import dev.bascule.limit.LiveNodes;
import dev.bascule.route.AddressRanges;
import dev.bascule.route.RateLimiter;
import dev.bascule.route.Route;
import dev.bascule.route.RouteTable;
import dev.bascule.trace.Sampler;
import dev.bascule.upstream.AffinityKey;
import dev.bascule.upstream.OriginTimeouts;
import dev.bascule.upstream.RetryBudget;
import dev.bascule.upstream.WaitingRoom;
import dev.bascule.upstream.Server;
import dev.bascule.upstream.ServerRegistry;
import dev.bascule.tls.TlsMaterial;
import dev.bascule.upstream.ServerState;
import io.netty.handler.ssl.SslContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Builds a {@link Snapshot} from a validated config and the current membership of each pool: attaches each
 * server's long-lived state from the registry, filters candidates by health, builds balancers (carrying over
 * state from the previous snapshot's balancers) and compiles the route table. Pure apart from reading server
 * states: it does no I/O.
 *
 * <p>Threading: control thread only.
 */
final class SnapshotBuilder {
    /** Slow start begins a server at this share of its weight. */
    static final double SLOW_START_FLOOR = 0.1;
    /** Distinct clients (or header values) tracked per rate-limited route. */
    static final int MAX_RATE_LIMIT_KEYS = 100_000;

    private final ServerRegistry registry;
    /** The long-lived recorders each snapshot's series are resolved from. */
    private final StatsRegistry stats;
    private final Balancers balancers;
    private final LongSupplier nanoTime;
    /**
     * Rate limiter of each route, kept across snapshots so a reload or a health change does not refill every
     * bucket; keyed by the route's position and its limit settings.
     */
    private final Map<String, RateLimiter> rateLimiters = new HashMap<>();
    /** Builds the sides of split routes, and keeps their turn counters across snapshots. */
    private final SplitRoutes splits = new SplitRoutes();
    /** The connection to the config's {@code redis} and the routes' global rate limits, kept across snapshots. */
    private final GlobalLimits globalLimits;

    /** @param nanoTime the control plane's clock, which retry budgets read on the data plane too */
    SnapshotBuilder(ServerRegistry registry, StatsRegistry stats, Balancers balancers, LongSupplier nanoTime) {
        this(registry, stats, balancers, nanoTime, LiveNodes.SINGLE);
    }

    /** @param liveNodes the instances sharing global rate limits, whose count divides them while Redis is out */
    SnapshotBuilder(ServerRegistry registry, StatsRegistry stats, Balancers balancers, LongSupplier nanoTime,
            LiveNodes liveNodes) {
        this.globalLimits = new GlobalLimits(liveNodes, stats.rateLimitFallbacks());
        this.registry = registry;
        this.stats = stats;
        this.balancers = balancers;
        this.nanoTime = nanoTime;
    }

    /**
     * @param members by upstream name, in order; every upstream of the config must have an entry
     * @param previous the snapshot being replaced, or null for the first
     * @param nowNanos the control plane's clock now, for ejections and slow start
     */
    Snapshot build(LoadedConfig loaded, Map<String, List<Member>> members, Snapshot previous, long nowNanos,
            ExchangeEvents events) {
        BasculeConfig config = loaded.config();
        globalLimits.follow(config.redis()); // connects asynchronously when the section is new or changed
        Map<String, Pool> pools = new LinkedHashMap<>();
        for (UpstreamConfig upstream : config.upstreams().values()) {
            Pool old = previous == null ? null : previous.pools().get(upstream.name());
            List<Member> list = members.getOrDefault(upstream.name(), List.of());
            pools.put(upstream.name(), pool(upstream, list, old, originTls(upstream, loaded.tls(), list), nowNanos));
        }
        List<Route<RouteAction>> routes = new ArrayList<>();
        Set<String> live = new HashSet<>();
        List<String> listenerNames = new ArrayList<>();
        for (ListenerSettings l : loaded.listeners().values()) {
            listenerNames.add(l.name());
        }
        List<String> labels = RouteConfig.labels(config.routes());
        Set<String> series = new HashSet<>();
        Set<String> splitLabels = new HashSet<>();
        for (int i = 0; i < config.routes().size(); i++) {
            RouteConfig rc = config.routes().get(i);
            String label = labels.get(i);
            series.add(label + '\n' + rc.upstreamLabel());
            RouteAction action =
                    new RouteAction(pools.get(rc.split() != null ? rc.split().sides().get(0).upstream()
                            : rc.upstream()), retryPolicy(rc.retry()),
                            rc.maxBodySize(),
                            rc.host() != null, ranges(rc.allow()), ranges(rc.deny()), limiter(rc, routes.size(), live),
                            rc.rateLimit() == null ? null : affinityKey(rc.rateLimit().key()), rc.websocket(),
                            label, stats.series(label, rc.upstreamLabel(), listenerNames),
                            RouteParts.redirect(rc.redirect()), RouteParts.edits(rc.requestHeaders()),
                            RouteParts.edits(rc.responseHeaders()), mirror(rc, pools, label), null,
                            globalLimits.limit(rc, label, i, live, MAX_RATE_LIMIT_KEYS));
            if (rc.split() != null) {
                action = splits.build(action, rc.split(), pools, stats, listenerNames, series, splitLabels);
            }
            routes.add(RouteParts.route(rc, action));
        }
        rateLimiters.keySet().retainAll(live);
        globalLimits.retainOnly(live);
        splits.retainOnly(splitLabels);
        RouteSeries unrouted = stats.series("", "", listenerNames);
        series.add("\n");
        stats.retainOnly(new HashSet<>(listenerNames), pools.keySet(), series);
        long version = previous == null ? 1 : previous.version() + 1;
        return new Snapshot(version, loaded.version(), config.source(), loaded.loadedAt(), new RouteTable<>(routes),
                pools, loaded.listeners(), settings(config), events, unrouted);
    }

    /** The route's mirror, its counters resolved by the route's label; null when it has none. */
    private Mirror mirror(RouteConfig rc, Map<String, Pool> pools, String label) {
        MirrorConfig m = rc.mirror();
        return m == null ? null : new Mirror(pools.get(m.upstream()), m.perMillion(), m.maxInFlight(), stats.mirror(label));
    }

    private Pool pool(UpstreamConfig upstream, List<Member> members, Pool old, Map<String, OriginTls> originTls,
            long nowNanos) {
        List<Server> all = new ArrayList<>(members.size());
        List<Server> routable = new ArrayList<>(members.size());
        List<Server> notDraining = new ArrayList<>(members.size());
        long slowStartNanos = upstream.slowStart().toNanos();
        for (Member m : members) {
            ServerState state = registry.stateFor(upstream.name(), m.address());
            state.latency().setDecayNanos(upstream.ewmaDecay().toNanos());
            Server server = new Server(m.address(), m.resolved(), m.weight(), state, m.maxConnections());
            all.add(server);
            if (state.draining()) {
                continue;
            }
            notDraining.add(server);
            if (state.probeHealthy() && !state.ejectedAt(nowNanos)) {
                routable.add(rampedForSlowStart(server, slowStartNanos, nowNanos));
            }
        }
        boolean panic = routable.isEmpty() && !notDraining.isEmpty()
                && upstream.whenAllDown() == UpstreamConfig.WhenAllDown.FAIL_OPEN;
        boolean reject = routable.isEmpty() && upstream.whenAllDown() == UpstreamConfig.WhenAllDown.REJECT;
        List<Server> candidates = panic ? notDraining : routable;
        Balancer prevBalancer = old != null && old.balancerName().equals(upstream.balancer()) ? old.balancer() : null;
        Balancer balancer = balancers.create(upstream.balancer(), candidates, prevBalancer);
        return new Pool(upstream.name(), upstream.balancer(), all, candidates, balancer,
                affinityKey(upstream.hashKey()), panic, reject, upstream.passive().consecutiveFailures(),
                old != null ? old.retryBudget() : RetryBudget.standard(nanoTime), originTls,
                Protocol.of(upstream.protocol()), waitingRoom(members, old),
                upstream.queue() == null ? 0 : upstream.queue().size(),
                upstream.queue() == null ? 0 : upstream.queue().timeout().toMillis(), stats.upstream(upstream.name()));
    }

    /**
     * The upstream's queue when a member caps its connections: the previous snapshot's, so requests waiting
     * there are still counted and served. Null when no member has a cap, so requests skip every check.
     */
    private static WaitingRoom waitingRoom(List<Member> members, Pool old) {
        for (Member m : members) {
            if (m.maxConnections() > 0) {
                return old != null && old.waitingRoom() != null ? old.waitingRoom() : new WaitingRoom();
            }
        }
        return null;
    }

    /**
     * Each member's TLS identity, for an upstream with TLS: the configured {@code sni}, else the host the server
     * was configured with (a DNS member's name, not its address), which is also the name its certificate is
     * checked against. Empty for plain HTTP.
     */
    private static Map<String, OriginTls> originTls(UpstreamConfig upstream, TlsMaterial tls, List<Member> members) {
        SslContext client = tls.upstream(upstream.name());
        if (client == null) {
            return Map.of();
        }
        UpstreamTlsConfig settings = upstream.tls();
        Map<String, OriginTls> byServer = new HashMap<>();
        for (Member m : members) {
            String host = settings.sni() != null ? settings.sni()
                    : HostPort.parse(m.configured() != null ? m.configured() : m.address()).host();
            byServer.put(m.address(), new OriginTls(client, host));
        }
        return byServer;
    }

    /**
     * A server that became routable less than {@code slowStartNanos} ago gets a share of its weight that grows
     * from {@link #SLOW_START_FLOOR} to 1, so a cold server is not flooded.
     */
    static Server rampedForSlowStart(Server server, long slowStartNanos, long nowNanos) {
        long since = server.state().routableSinceNanos();
        if (slowStartNanos <= 0 || since == 0) {
            return server;
        }
        long elapsed = nowNanos - since;
        if (elapsed >= slowStartNanos || elapsed < 0) {
            return server;
        }
        double share = SLOW_START_FLOOR + (1 - SLOW_START_FLOOR) * ((double) elapsed / slowStartNanos);
        int weight = Math.max(1, (int) Math.round(server.weight() * share));
        if (weight == server.weight()) {
            return server;
        }
        return new Server(server.address(), server.socketAddress(), weight, server.state(), server.maxConnections());
    }

    private RateLimiter limiter(RouteConfig rc, int index, Set<String> live) {
        RateLimitConfig r = rc.rateLimit();
        if (r == null || r.global()) {
            return null;
        }
        String key = index + "|" + rc.host() + "|" + rc.pathPrefix() + "|" + r;
        live.add(key);
        return rateLimiters.computeIfAbsent(key,
                k -> new RateLimiter(r.requestsPerSecond(), r.burst(), MAX_RATE_LIMIT_KEYS));
    }

    /** Forgets idle rate-limit keys so memory stays bounded; called regularly by the control plane. */
    void expireIdleRateLimitKeys(long nowNanos) {
        for (RateLimiter l : rateLimiters.values()) {
            l.expireIdle(nowNanos);
        }
        globalLimits.expireIdle(nowNanos);
    }

    /** Closes the connection to Redis, if any; once, when Bascule stops. */
    void closeGlobalLimits() {
        globalLimits.close();
    }

    static RetryPolicy retryPolicy(RetryConfig r) {
        if (r == null) {
            return RetryPolicy.DEFAULT;
        }
        return new RetryPolicy(r.attempts(),
                r.on().contains(RetryConfig.RetryOn.CONNECT_FAILURE),
                r.on().contains(RetryConfig.RetryOn.RESET),
                r.on().contains(RetryConfig.RetryOn.STATUS_502),
                r.on().contains(RetryConfig.RetryOn.STATUS_503),
                r.on().contains(RetryConfig.RetryOn.STATUS_504),
                r.perTryTimeout() == null ? 0 : r.perTryTimeout().toMillis());
    }

    private static AffinityKey affinityKey(HashKeyConfig key) {
        if (key == null) {
            return AffinityKey.CLIENT_IP;
        }
        return switch (key.source()) {
            case CLIENT_IP -> AffinityKey.CLIENT_IP;
            case HEADER -> new AffinityKey(AffinityKey.Source.HEADER, key.name());
            case COOKIE -> new AffinityKey(AffinityKey.Source.COOKIE, key.name());
        };
    }

    static ProxySettings settings(BasculeConfig config) {
        TimeoutsConfig t = config.timeouts();
        LimitsConfig l = config.limits();
        return new ProxySettings(
                new OriginTimeouts((int) Math.min(Integer.MAX_VALUE, t.connect().toMillis()), t.upstreamIdle().toMillis()),
                t.responseHeader().toMillis(),
                t.clientIdle().toMillis(),
                l.maxUriLength(),
                l.maxHeaderSize(),
                t.clientHeader().toMillis(),
                t.clientBodyIdle().toMillis(),
                l.maxHeaderCount(),
                l.maxConnections(),
                l.maxConnectionsPerIp(),
                ranges(config.trustedProxies()),
                config.shutdownGrace().toMillis(),
                config.via(),
                UnderscoreHeaders.valueOf(l.headersWithUnderscores().name()),
                l.h2MaxConcurrentStreams(),
                t.tunnelIdle().toMillis(),
                t.streamIdle().toMillis(),
                config.requestId(),
                config.tracing() == null ? null : new Sampler(config.tracing().sample()));
    }

    static AddressRanges ranges(List<Cidr> cidrs) {
        List<AddressRanges.Range> list = new ArrayList<>(cidrs.size());
        for (Cidr c : cidrs) {
            list.add(new AddressRanges.Range(c.network(), c.prefixLength()));
        }
        return AddressRanges.of(list);
    }
}
