package dev.bascule.balance;

import dev.bascule.upstream.Server;

/**
 * What a balancer may know about the request it picks for, without seeing the wire. Implemented by the data
 * plane's exchange, so asking costs no allocation.
 */
public interface PickContext {

    /** True for servers this request already tried (a retry must go elsewhere when it can). */
    boolean excluded(Server server);

    /**
     * A 64-bit hash of the request's affinity key (client address, a header or a cookie, as the pool's
     * {@code hash_key} says). Computed on first call; only hashing balancers call it.
     */
    long affinityHash();

    /** The data plane's clock now, for balancers that weigh time (latency averages decay). */
    long nowNanos();
}
