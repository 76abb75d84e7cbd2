package dev.bascule.balance;

import dev.bascule.upstream.Server;
import java.util.List;

/** Builds a balancer of one strategy over a candidate list. */
@FunctionalInterface
public interface BalancerFactory {

    /**
     * @param candidates the servers to choose among, in configuration order; never modified
     * @param previous the balancer this one replaces in the same pool, or null; a strategy may carry state over
     *     from it (for example a round robin position) when it is of the same type
     */
    Balancer create(List<Server> candidates, Balancer previous);
}
