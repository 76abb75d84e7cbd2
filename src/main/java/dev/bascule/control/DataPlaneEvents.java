package dev.bascule.control;

import dev.bascule.upstream.Server;

/**
 * What the data plane tells the control plane. Implementations must return at once: they are called on event
 * loops.
 */
public interface DataPlaneEvents {

    /** Ignores everything; for snapshots built without a control plane. */
    DataPlaneEvents NONE = (pool, server, failures) -> {};

    /**
     * A server of {@code pool} reached the pool's passive failure threshold: {@code failures} connect failures,
     * timeouts or 5xx in a row.
     */
    void outlierDetected(Pool pool, Server server, int failures);
}
