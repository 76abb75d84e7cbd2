/**
 * Health: which servers can take traffic; part of the control plane.
 * <p>Active checks: {@link dev.bascule.health.ActiveHealthChecker} probes the servers the control plane lists
 * as {@link dev.bascule.health.HealthControl#probeTargets() probe targets} (an HTTP GET, a gRPC
 * {@code grpc.health.v1.Health/Check} over HTTP/2 on Netty's codec, or a TCP connect) and reports verdict
 * changes (and passes) back through {@link dev.bascule.health.HealthControl}; thresholds are the pure state
 * machine {@link dev.bascule.health.TargetHealth}. Passive health: {@link dev.bascule.health.EjectionPolicy}
 * counts the failure runs exchanges report and decides ejections and their end. The control plane runs both
 * and turns their verdicts into the snapshot's candidate lists.
 * <p>The data plane never sees this package ({@code proxy} and {@code origin} do not import it), and it imports
 * neither them nor {@code control}: it is handed the transport's channel class instead of the transport, and
 * {@link dev.bascule.health.HealthControl} instead of the control plane.
 * <p>{@link dev.bascule.health.ActiveHealthChecker#probeOnce} and {@link
 * dev.bascule.health.ActiveHealthChecker#checkNow} let tests drive probes and thresholds without sleeping.
 */
package dev.bascule.health;
