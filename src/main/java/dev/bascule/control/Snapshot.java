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
 * @param source the config file it came from
 * @param pools by upstream name, in config order
 */
public record Snapshot(
        long version, String source, Instant loadedAt, RouteTable<Pool> routes, Map<String, Pool> pools,
        ProxySettings settings) {}
