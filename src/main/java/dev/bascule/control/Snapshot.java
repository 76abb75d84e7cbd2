package dev.bascule.control;

import dev.bascule.route.RouteTable;
import dev.bascule.stats.RouteSeries;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;

/**
 * Everything the data plane needs to serve a request, frozen at one point in time. A request reads the live
 * snapshot once and keeps it for its whole life, retries included; a new connection reads its listener's
 * settings from it. It is the only way control-plane state reaches the data plane.
 *
 * <p>Immutable; built only by {@link SnapshotBuilder}.
 *
 * @param version increases by one with every snapshot published
 * @param configVersion increases by one with every config loaded (reloads), not with health changes
 * @param source the config file it came from
 * @param pools by upstream name, in config order
 * @param listeners by resolved configured address, in config order
 * @param events where exchanges report what happened to each attempt, and each request when it is over
 * @param unrouted where requests that no route matched count (route and upstream {@code ""})
 */
public record Snapshot(
        long version,
        long configVersion,
        String source,
        Instant loadedAt,
        RouteTable<RouteAction> routes,
        Map<String, Pool> pools,
        Map<InetSocketAddress, ListenerSettings> listeners,
        ProxySettings settings,
        ExchangeEvents events,
        RouteSeries unrouted) {

    public Snapshot {
        pools = Collections.unmodifiableMap(pools);
        listeners = Collections.unmodifiableMap(listeners);
    }

    /** The settings of the listener opened for {@code address}; null when the config has no such listener. */
    public ListenerSettings listener(InetSocketAddress address) {
        return listeners.get(address);
    }
}
