package dev.bascule.fleet;

/**
 * One instance's record in etcd, as it writes it and as the others read it.
 *
 * @param node its name in the fleet
 * @param admin where its admin API listens ({@code host:port}); null without one
 * @param startedAt when it started, Unix milliseconds
 * @param heartbeatAt when it last wrote this record, Unix milliseconds (every {@link Fleet#HEARTBEAT_MILLIS})
 * @param configRevision the etcd revision of the shared config it runs; 0 for none (its file alone)
 * @param configError why it could not apply a newer shared config; null when it runs the newest
 * @param stateRevision the revision of the runtime state it applied; 0 for none
 * @param version Bascule's version
 */
public record NodeInfo(String node, String admin, long startedAt, long heartbeatAt, long configRevision,
        String configError, long stateRevision, String version) {}
