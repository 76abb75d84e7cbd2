package dev.bascule.control;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A point-in-time report of the running config and every server, for the admin API.
 *
 * @param upstreams by name, in config order
 */
public record Status(ConfigInfo config, Map<String, UpstreamStatus> upstreams) {

    /** @param version counts config loads: 1 for the first, one more per successful reload */
    public record ConfigInfo(String file, long version, Instant loadedAt) {}

    /**
     * @param queueLength requests waiting now for a connection (every server they may use at its
     *     {@code max_connections}), on all event loops
     */
    public record UpstreamStatus(String balancer, List<ServerStatus> servers, int queueLength) {}

    /**
     * @param state {@code healthy}, {@code unhealthy} (failing active checks), {@code ejected} (passive
     *     checks) or {@code draining}
     * @param latencyNanos the peak-sensitive moving average of its response latency as the {@code ewma}
     *     balancer sees it now (0 before its first response)
     * @param source {@code config}, {@code api} or {@code dns}
     * @param openConnections origin connections open to it now (connecting, busy or idle), on all event loops
     * @param maxConnections its {@code max_connections}; 0 when it has none
     */
    public record ServerStatus(String address, int weight, String state, int inFlight, long requests,
            long failures, long latencyNanos, String source, int openConnections, int maxConnections) {}
}
