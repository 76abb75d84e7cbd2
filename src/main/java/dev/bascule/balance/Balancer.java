package dev.bascule.balance;

import dev.bascule.upstream.Server;

/**
 * Chooses one server of a pool for one request. A balancer is built from an immutable list of candidates that
 * the control plane has already filtered by health; it never checks health itself.
 *
 * <p>Threading: {@link #pick} is called concurrently from every event loop. It must not block, lock, log or
 * allocate; any state it keeps is atomic.
 */
public interface Balancer {

    /**
     * Returns a candidate that {@code context} does not exclude, or {@code null} when every candidate is
     * excluded (or there are none).
     */
    Server pick(PickContext context);
}
