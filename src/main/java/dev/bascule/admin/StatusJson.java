package dev.bascule.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bascule.config.HostPort;
import dev.bascule.control.Status;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * The JSON view of a {@link Status}: snake_case keys, upstreams in config order, {@code loaded_at} in ISO-8601
 * UTC to the second.
 *
 * <p>Stateless.
 */
final class StatusJson {
    private StatusJson() {}

    static ObjectNode status(Status s) {
        ObjectNode root = Json.object();
        ObjectNode config = root.putObject("config");
        config.put("file", s.config().file());
        config.put("version", s.config().version());
        config.put("loaded_at", s.config().loadedAt().truncatedTo(ChronoUnit.SECONDS).toString());
        ObjectNode upstreams = root.putObject("upstreams");
        for (Map.Entry<String, Status.UpstreamStatus> e : s.upstreams().entrySet()) {
            ObjectNode u = upstreams.putObject(e.getKey());
            u.put("balancer", e.getValue().balancer());
            u.put("queue_length", e.getValue().queueLength());
            ArrayNode servers = u.putArray("servers");
            for (Status.ServerStatus server : e.getValue().servers()) {
                servers.add(server(server));
            }
        }
        return root;
    }

    static ObjectNode server(Status.ServerStatus s) {
        ObjectNode o = Json.object();
        o.put("address", s.address());
        o.put("weight", s.weight());
        o.put("state", s.state());
        o.put("in_flight", s.inFlight());
        o.put("requests", s.requests());
        o.put("failures", s.failures());
        // Microsecond resolution is plenty for an average and keeps the number short.
        o.put("latency_ms", Math.round(s.latencyNanos() / 1_000.0) / 1_000.0);
        o.put("source", s.source());
        o.put("open_connections", s.openConnections());
        if (s.maxConnections() > 0) {
            o.put("max_connections", s.maxConnections());
        } else {
            o.putNull("max_connections");
        }
        return o;
    }

    /**
     * One server of a status report, its address compared as the control plane keys it ({@code [::1]:80}).
     *
     * @return null when the upstream or the server is not there
     */
    static Status.ServerStatus find(Status s, String upstream, String address) {
        Status.UpstreamStatus u = s.upstreams().get(upstream);
        if (u == null) {
            return null;
        }
        String key = key(address);
        for (Status.ServerStatus server : u.servers()) {
            if (server.address().equals(key)) {
                return server;
            }
        }
        return null;
    }

    /** The canonical form of an address, as ControlPlane compares them; unparseable text stays as it is. */
    static String key(String address) {
        try {
            return HostPort.parse(address).toString();
        } catch (IllegalArgumentException e) {
            return address;
        }
    }
}
