package dev.bascule.health;

import java.util.List;

/**
 * What active health checks need from the control plane: the servers to probe, and where to report what the
 * probes found. Implemented by the control plane; keeps this package free of it.
 *
 * <p>Threading: every method may be called from any thread and returns at once.
 */
public interface HealthControl {

    /** Every server whose upstream has active checks. */
    List<ProbeTarget> probeTargets();

    /** Calls {@code listener} whenever {@link #probeTargets()} changed; on the control thread, so it must not block. */
    void onProbeTargetsChanged(Runnable listener);

    /**
     * A server's verdict changed (or a fresh server passed its first probe).
     *
     * @param problem why it is down; null when healthy
     */
    void reportProbe(String upstream, String address, boolean healthy, String problem);

    /** A server that is up passed another probe: proof that it accepts connections again. */
    void probePassed(String upstream, String address);
}
