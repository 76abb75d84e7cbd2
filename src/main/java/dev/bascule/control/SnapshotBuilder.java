package dev.bascule.control;

import dev.bascule.balance.Balancer;
import dev.bascule.balance.Balancers;
import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ConfigError;
import dev.bascule.config.ConfigException;
import dev.bascule.config.HashKeyConfig;
import dev.bascule.config.LimitsConfig;
import dev.bascule.config.RouteConfig;
import dev.bascule.config.ServerConfig;
import dev.bascule.config.TimeoutsConfig;
import dev.bascule.config.UpstreamConfig;
import dev.bascule.route.HostMatcher;
import dev.bascule.route.PathPrefix;
import dev.bascule.route.Route;
import dev.bascule.route.RouteTable;
import dev.bascule.upstream.AffinityKey;
import dev.bascule.upstream.Server;
import dev.bascule.upstream.ServerRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link Snapshot} from a validated config: resolves server addresses, attaches each server's
 * long-lived state from the registry, builds balancers (carrying over state from the previous snapshot's
 * balancers) and compiles the route table.
 *
 * <p>Threading: control plane only; it may block on DNS. Callers serialize builds.
 */
public final class SnapshotBuilder {
    private final ServerRegistry registry;
    private final Balancers balancers;
    private final Clock clock;

    public SnapshotBuilder(ServerRegistry registry, Balancers balancers, Clock clock) {
        this.registry = registry;
        this.balancers = balancers;
        this.clock = clock;
    }

    /**
     * @param previous the snapshot being replaced, or null for the first
     * @throws ConfigException when a server's host name does not resolve; nothing is published then
     */
    public Snapshot build(BasculeConfig config, Snapshot previous) throws ConfigException {
        List<ConfigError> errors = new ArrayList<>();
        Map<String, Pool> pools = new LinkedHashMap<>();
        for (UpstreamConfig upstream : config.upstreams().values()) {
            List<Server> servers = new ArrayList<>();
            for (ServerConfig sc : upstream.servers()) {
                InetSocketAddress resolved = resolve(sc, upstream, config, errors);
                if (resolved != null) {
                    String address = sc.address().toString();
                    servers.add(new Server(address, resolved, sc.weight(), registry.stateFor(upstream.name(), address)));
                }
            }
            Pool old = previous == null ? null : previous.pools().get(upstream.name());
            Balancer prevBalancer = old != null && old.balancerName().equals(upstream.balancer()) ? old.balancer() : null;
            Balancer balancer = balancers.create(upstream.balancer(), servers, prevBalancer);
            pools.put(upstream.name(),
                    new Pool(upstream.name(), upstream.balancer(), servers, balancer, affinityKey(upstream.hashKey())));
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        List<Route<Pool>> routes = new ArrayList<>();
        for (RouteConfig rc : config.routes()) {
            routes.add(new Route<>(
                    rc.host() == null ? null : HostMatcher.of(rc.host()),
                    rc.pathPrefix() == null ? null : PathPrefix.of(rc.pathPrefix()),
                    rc.stripPrefix(),
                    pools.get(rc.upstream())));
        }
        long version = previous == null ? 1 : previous.version() + 1;
        return new Snapshot(version, config.source(), clock.instant(), new RouteTable<>(routes), pools,
                settings(config.timeouts(), config.limits()));
    }

    private static InetSocketAddress resolve(
            ServerConfig sc, UpstreamConfig upstream, BasculeConfig config, List<ConfigError> errors) {
        try {
            InetAddress ip = InetAddress.getByName(sc.address().host());
            return new InetSocketAddress(ip, sc.address().port());
        } catch (UnknownHostException e) {
            errors.add(new ConfigError(config.source(), 0, 0,
                    "upstream '" + upstream.name() + "': cannot resolve " + sc.address().host()));
            return null;
        }
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

    static ProxySettings settings(TimeoutsConfig t, LimitsConfig l) {
        return new ProxySettings(
                (int) Math.min(Integer.MAX_VALUE, t.connect().toMillis()),
                t.responseHeader().toMillis(),
                t.clientIdle().toMillis(),
                t.upstreamIdle().toMillis(),
                l.maxUriLength(),
                l.maxHeaderSize());
    }
}
