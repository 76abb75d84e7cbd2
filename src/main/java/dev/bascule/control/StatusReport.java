package dev.bascule.control;

import dev.bascule.config.UpstreamConfig;
import dev.bascule.upstream.ServerState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the admin API's report of the running config and every server, and names a server's state the same way
 * for the admin API and for metrics.
 *
 * <p>Threading: {@code of} on the control thread only (it reads the membership); {@link #stateLabel} on any
 * thread (it reads volatile fields only).
 */
public final class StatusReport {
    /** Every label {@link #stateLabel} returns. */
    public static final List<String> STATES = List.of("healthy", "unhealthy", "ejected", "draining");

    private StatusReport() {}

    /** @param now the control plane's clock, the one ejections and latency samples are stamped with */
    static Status of(LoadedConfig loaded, Snapshot live, Membership membership, long now) {
        Map<String, Status.UpstreamStatus> upstreams = new LinkedHashMap<>();
        for (UpstreamConfig u : loaded.config().upstreams().values()) {
            List<Status.ServerStatus> servers = new ArrayList<>();
            for (Member m : membership.of(u.name())) {
                ServerState st = membership.state(u.name(), m);
                servers.add(new Status.ServerStatus(m.address(), m.weight(), stateLabel(st, now), st.inFlight(),
                        st.requests(), st.failures(), st.latency().averageNanos(now), m.source().label(),
                        st.openConnections(), m.maxConnections()));
            }
            Pool pool = live.pools().get(u.name());
            upstreams.put(u.name(), new Status.UpstreamStatus(u.balancer(), servers,
                    pool == null ? 0 : pool.queueLength()));
        }
        return new Status(new Status.ConfigInfo(live.source(), loaded.version(), live.loadedAt()), upstreams);
    }

    /**
     * One of {@link #STATES}: {@code draining} wins over {@code ejected}, which wins over the active checks'
     * verdict.
     *
     * @param now the control plane's clock, the one ejections are stamped with
     */
    public static String stateLabel(ServerState st, long now) {
        if (st.draining()) {
            return "draining";
        }
        if (st.ejectedAt(now)) {
            return "ejected";
        }
        return st.probeHealthy() ? "healthy" : "unhealthy";
    }
}
