/**
 * Control plane, read only: why a request would go where it goes. Given a request (host, path, method, client,
 * headers), it checks every route in order with the proxy's own matchers, says what the winning route does
 * (target sent upstream, retries, body limit, allow/deny verdict, rate-limit tokens), lists the upstream's
 * servers with their state and which are candidates, and where the balancer would send the request.
 *
 * <p>Entry points: {@link dev.bascule.explain.Question} (the validated request) and {@link
 * dev.bascule.explain.Explanation} ({@code live} from a snapshot for the admin API's {@code GET /explain},
 * {@code offline} from a config file for {@code bascule explain}). It reads and never takes: no rate-limit token,
 * balancer position or counter moves. No Netty; nothing here is on the data plane.
 */
package dev.bascule.explain;
