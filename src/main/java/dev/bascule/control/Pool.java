package dev.bascule.control;

import dev.bascule.balance.Balancer;
import dev.bascule.stats.UpstreamStats;
import dev.bascule.tls.OriginTls;
import dev.bascule.upstream.AffinityKey;
import dev.bascule.upstream.RetryBudget;
import dev.bascule.upstream.WaitingRoom;
import dev.bascule.upstream.Server;
import java.util.List;
import java.util.Map;

/**
 * An upstream pool within one snapshot: every member, and the balancer that chooses among the routable ones.
 *
 * <p>Immutable; built only by the control plane.
 *
 * @param balancerName the strategy name as configured
 * @param members every server of the pool, routable or not, in membership order
 * @param candidates the servers the balancer chooses among: the routable ones, or in panic every member that
 *     is not draining
 * @param affinityKey what a hashing balancer hashes ({@link AffinityKey#CLIENT_IP} unless configured)
 * @param panic no member is routable and the pool fails open: candidates are every non-draining member
 * @param rejectWhenNoneRoutable no member is routable and the pool is configured to answer 503
 * @param ejectAfterFailures consecutive failures that eject a server (passive checks); 0 when off
 * @param retryBudget caps retries to this upstream; the same instance for the upstream's whole life
 * @param originTls for a pool with TLS, how to speak it to each member, by server address; empty for plain HTTP
 * @param protocol how to speak to the members: {@link Protocol#HTTP1}, {@link Protocol#H2} (the pool has TLS)
 *     or {@link Protocol#H2C} (it has none)
 * @param waitingRoom where requests wait when every server they may use is at its {@code max_connections}; the
 *     same instance for the upstream's whole life; null when no member has a cap (then nothing ever waits)
 * @param queueSize requests that may wait, on all event loops together; 0: none, a request that finds every
 *     server full gets 503 at once
 * @param queueTimeoutMillis how long a request may wait before it gets 503
 * @param stats the upstream's counts (retries); the same instance for the upstream's whole life
 */
public record Pool(
        String name,
        String balancerName,
        List<Server> members,
        List<Server> candidates,
        Balancer balancer,
        AffinityKey affinityKey,
        boolean panic,
        boolean rejectWhenNoneRoutable,
        int ejectAfterFailures,
        RetryBudget retryBudget,
        Map<String, OriginTls> originTls,
        Protocol protocol,
        WaitingRoom waitingRoom,
        int queueSize,
        long queueTimeoutMillis,
        UpstreamStats stats) {

    public Pool {
        members = List.copyOf(members);
        candidates = List.copyOf(candidates);
        originTls = Map.copyOf(originTls);
    }

    /** How to speak TLS to {@code server}; null for plain HTTP. Allocation-free, for the data plane. */
    public OriginTls originTls(Server server) {
        return originTls.isEmpty() ? null : originTls.get(server.address());
    }

    /** Requests waiting for a connection now, on every event loop; 0 when no member caps its connections. */
    public int queueLength() {
        return waitingRoom == null ? 0 : waitingRoom.length();
    }

    @Override
    public String toString() {
        return name;
    }
}
