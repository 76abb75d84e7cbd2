/**
 * Active health checks; part of the control plane.
 *
 * <p>Entry point: {@link dev.bascule.health.ActiveHealthChecker}, which probes the servers the control plane
 * lists as {@link dev.bascule.control.ControlPlane#probeTargets() probe targets} and reports verdict changes back
 * through {@link dev.bascule.control.ControlPlane#reportProbe}; the control plane turns them into the snapshot's
 * candidate lists. The data plane never sees this package: {@code proxy} and {@code origin} do not import it,
 * and it imports neither (it is handed the transport's channel class instead of the transport).
 *
 * <p>{@link dev.bascule.health.ActiveHealthChecker#probeOnce} and {@link
 * dev.bascule.health.ActiveHealthChecker#checkNow} let tests drive probes and thresholds without sleeping.
 */
package dev.bascule.health;
