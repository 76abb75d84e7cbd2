package dev.bascule.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bascule.fleet.FleetStatus;
import dev.bascule.fleet.NodeInfo;
import java.time.Instant;

/**
 * {@code GET /cluster}: the fleet as this instance sees it, times in ISO-8601 UTC to the millisecond.
 * <pre>
 * {"cluster": "labs", "node": "a", "connected": true, "disconnected_since": null, "drives_rollouts": false,
 *  "config": {"revision": 42, "error": null},
 *  "nodes": [{"node": "a", "admin": "127.0.0.1:9901", "live": true, "heartbeat_at": "...",
 *             "heartbeat_age_ms": 420, "started_at": "...", "config_revision": 42, "config_error": null,
 *             "state_revision": 0, "version": "0.1.0"}, ...],
 *  "etcd": [{"endpoint": "http://127.0.0.1:2379", "healthy": true, "version": "3.4.23", "leader": true,
 *            "error": null}, ...]}
 * </pre>
 *
 * <p>Stateless.
 */
final class ClusterJson {
    private ClusterJson() {}

    static ObjectNode of(FleetStatus s) {
        ObjectNode root = Json.object();
        root.put("cluster", s.cluster());
        root.put("node", s.node());
        root.put("connected", s.connected());
        root.put("disconnected_since", s.disconnectedSince() == 0 ? null : time(s.disconnectedSince()));
        root.put("drives_rollouts", s.drivesRollouts());
        ObjectNode config = root.putObject("config");
        config.put("revision", s.configRevision());
        config.put("error", s.configError());
        ArrayNode nodes = root.putArray("nodes");
        for (FleetStatus.Node n : s.nodes()) {
            NodeInfo i = n.info();
            nodes.addObject()
                    .put("node", i.node())
                    .put("admin", i.admin())
                    .put("live", n.live())
                    .put("heartbeat_at", time(i.heartbeatAt()))
                    .put("heartbeat_age_ms", n.heartbeatAgeMillis())
                    .put("started_at", time(i.startedAt()))
                    .put("config_revision", i.configRevision())
                    .put("config_error", i.configError())
                    .put("state_revision", i.stateRevision())
                    .put("version", i.version());
        }
        ArrayNode etcd = root.putArray("etcd");
        for (FleetStatus.Endpoint e : s.endpoints()) {
            etcd.addObject()
                    .put("endpoint", e.endpoint())
                    .put("healthy", e.healthy())
                    .put("version", e.version())
                    .put("leader", e.leader())
                    .put("error", e.error());
        }
        return root;
    }

    private static String time(long unixMillis) {
        return Instant.ofEpochMilli(unixMillis).toString();
    }
}
