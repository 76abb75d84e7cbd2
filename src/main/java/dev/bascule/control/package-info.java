/**
 * The control plane's hand-off to the data plane.
 *
 * <p>{@link dev.bascule.control.SnapshotBuilder} turns a validated config into an immutable {@link
 * dev.bascule.control.Snapshot} (routes, pools, balancers, settings), off the event loops; {@link
 * dev.bascule.control.LiveSnapshot} publishes it through one volatile reference that the data plane reads once
 * per request. Only this package builds snapshots.
 */
package dev.bascule.control;
