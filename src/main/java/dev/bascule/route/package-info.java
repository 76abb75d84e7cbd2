/**
 * Request routing: host and path matchers compiled into an immutable {@link dev.bascule.route.RouteTable}.
 *
 * <p>Built by the control plane, read by the data plane. Pure: no I/O, no Netty, no allocation per match.
 */
package dev.bascule.route;
