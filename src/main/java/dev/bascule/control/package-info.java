/**
 * The control plane and its hand-off to the data plane.
 * <p>Entry point: {@link dev.bascule.control.ControlPlane}, one thread that applies reloads, admin commands,
 * health verdicts, ejections and DNS changes through a part for each job ({@code Membership}, {@code
 * DnsRefresh}, {@code StatusReport}, {@code ProbeTargets}, {@code ListenerReconciler}, {@code RuntimeChanges} and
 * {@code StateKeeper} for the admin API's changes that outlive reloads and restarts, {@code Rollouts} for
 * progressive rollouts, {@code RouteReport}) and after
 * each change publishes a new immutable {@link dev.bascule.control.Snapshot} built by {@code SnapshotBuilder}
 * (with {@code SplitRoutes} for the sides of split routes, {@link dev.bascule.control.RouteSplit}). {@link
 * dev.bascule.control.LiveSnapshot} is the one volatile reference the data plane reads it through: routes,
 * pools, timeouts, limits and listener settings all arrive that way. The data plane reports back only through
 * {@link dev.bascule.control.ExchangeEvents}, and the control plane opens listening sockets only through
 * {@link dev.bascule.control.ListenerSockets}. Only this package builds snapshots.
 */
package dev.bascule.control;
