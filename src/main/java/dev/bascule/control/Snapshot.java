package dev.bascule.control;

import dev.bascule.route.RouteTable;
import java.time.Instant;
import java.util.Map;

/**
 * Everything the data plane needs to serve a request, frozen at one point in time. A request reads the live
 * snapshot once and keeps it for its whole life, retries included.
 *
 * <p>Immutable; built only by {@link SnapshotBuilder}.
 *
 * @param version increases by one with every snapshot published
 * @param configVersion increases by one with every config loaded (reloads), not with health changes
 * @param source the config file it came from
 * @param pools by upstream name, in config order
 * @param events where the data plane reports what the control plane must react to
 */
public record Snapshot(
        long version,
        long configVersion,
        String source,
        Instant loadedAt,
        RouteTable<RouteAction> routes,
        Map<String, Pool> pools,
        ProxySettings settings,
        DataPlaneEvents events) {}
