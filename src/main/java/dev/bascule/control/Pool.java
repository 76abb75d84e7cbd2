package dev.bascule.control;

import dev.bascule.balance.Balancer;
import dev.bascule.upstream.AffinityKey;
import dev.bascule.upstream.Server;
import java.util.List;

/**
 * An upstream pool within one snapshot: its servers and the balancer that chooses among the routable ones.
 *
 * <p>Immutable; built only by the control plane.
 *
 * @param balancerName the strategy name as configured
 * @param affinityKey what a hashing balancer hashes ({@link AffinityKey#CLIENT_IP} unless configured)
 */
public record Pool(String name, String balancerName, List<Server> servers, Balancer balancer, AffinityKey affinityKey) {

    public Pool {
        servers = List.copyOf(servers);
    }

    @Override
    public String toString() {
        return name;
    }
}
