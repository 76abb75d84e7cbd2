/**
 * Fleets: many Bascule instances that share their config, their self-registered servers and their runtime
 * state (splits, server changes, rollouts) through etcd. Control-plane side only: the fleet feeds the control plane through its public
 * commands (reload, server changes) exactly as the admin API and the file do, and the data plane never knows it
 * exists. Only this package talks to etcd, and its classes load only when a config has a {@code cluster} key.
 *
 * <p>Keys of a fleet named {@code labs} ({@link dev.bascule.fleet.FleetKeys}):
 * <pre>
 * /bascule/labs/config                              the shared config (YAML text); its mod revision is its version
 * /bascule/labs/nodes/NODE                          each instance's record (JSON), under a lease of its own
 * /bascule/labs/state                               the runtime state (the state file's JSON); its mod revision is
 *                                                   its version, and every write is conditioned on it
 * /bascule/labs/rollout-driver/LEASE                the election of the instance that drives rollouts
 * /bascule/labs/figures/ROUTE/NODE                  each instance's running totals of a live rollout (JSON),
 *                                                   under its record's lease; the driver adds them up
 * /bascule/labs/upstreams/UPSTREAM/servers/ADDRESS  self-registered servers, {"weight": N} or empty, under the
 *                                                   registering origin's lease
 * </pre>
 */
package dev.bascule.fleet;
