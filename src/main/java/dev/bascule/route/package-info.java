/**
 * Request routing: host, path, header, cookie, query and method matchers compiled into an immutable {@link
 * dev.bascule.route.RouteTable}, and a redirect route's {@link dev.bascule.route.Redirect}.
 *
 * <p>Built by the control plane, read by the data plane. Pure: no I/O, no Netty, no regex; matching allocates
 * nothing. A request is seen through {@link dev.bascule.route.RequestFields}, which the data plane implements
 * over its request head and explain over the request it is asked about.
 */
package dev.bascule.route;
