package dev.bascule.fleet;

import java.util.List;

/**
 * The fleet as one instance sees it, for {@code GET /cluster} and the dashboard.
 *
 * @param cluster the fleet's name
 * @param node this instance's name
 * @param connected whether this instance reaches etcd now (its last heartbeat was written)
 * @param disconnectedSince when it last lost etcd, Unix milliseconds; 0 while connected
 * @param configRevision the shared config's revision it runs; 0 for none
 * @param configError why it could not apply the newest shared config; null when it runs it
 * @param nodes every instance with a record, this one included, by name; {@code live} tells which heartbeat
 * @param endpoints each etcd endpoint's health as last checked
 * @param drivesRollouts whether this instance is the elected driver of the fleet's rollouts now (an instance knows
 *     this of itself only: the others' records do not say it)
 */
public record FleetStatus(String cluster, String node, boolean connected, long disconnectedSince,
        long configRevision, String configError, List<Node> nodes, List<Endpoint> endpoints,
        boolean drivesRollouts) {

    /**
     * An instance and whether its heartbeat is recent ({@link Fleet#LIVE_MILLIS}).
     *
     * @param heartbeatAgeMillis how old its heartbeat is, by this instance's clock (the one {@code live} is judged
     *     by), so a reader's own clock does not enter into it
     */
    public record Node(NodeInfo info, boolean live, long heartbeatAgeMillis) {}

    /**
     * @param healthy whether it answered a status request within a second
     * @param version its etcd version; null when it did not answer
     * @param leader whether it is the raft leader
     * @param error why it did not answer; null when it did
     */
    public record Endpoint(String endpoint, boolean healthy, String version, boolean leader, String error) {}
}
