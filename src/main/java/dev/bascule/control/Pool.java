package dev.bascule.control;

import dev.bascule.balance.Balancer;
import dev.bascule.upstream.AffinityKey;
import dev.bascule.upstream.RetryBudget;
import dev.bascule.upstream.Server;
import java.util.List;

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
        RetryBudget retryBudget) {

    public Pool {
        members = List.copyOf(members);
        candidates = List.copyOf(candidates);
    }

    /** A pool whose members are all candidates and which never ejects; for tests and simple wiring. */
    public static Pool of(String name, String balancerName, List<Server> servers, Balancer balancer,
            AffinityKey affinityKey) {
        return new Pool(name, balancerName, servers, servers, balancer, affinityKey, false, false, 0,
                RetryBudget.standard());
    }

    @Override
    public String toString() {
        return name;
    }
}
