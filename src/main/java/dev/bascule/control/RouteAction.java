package dev.bascule.control;

import dev.bascule.limit.GlobalRateLimit;
import dev.bascule.route.AddressRanges;
import dev.bascule.route.RateLimiter;
import dev.bascule.route.Redirect;
import dev.bascule.stats.RouteSeries;
import dev.bascule.upstream.AffinityKey;
import java.util.ArrayList;
import java.util.List;

/**
 * What a matched route does with a request: the pool that serves it, or the redirect Bascule answers with, and
 * the route's policies.
 *
 * <p>Immutable; part of a snapshot.
 *
 * @param pool the upstream's pool; null for a redirect route and for a split route (each side has its own
 *     action, with its pool)
 * @param maxBodySize largest request body in bytes (413 above it); -1 for no limit
 * @param hostNamed the route names the host it serves (a host condition), so an absolute-form request target
 *     for that host may be served (RFC 9112 3.2.2) without making Bascule an open forward proxy
 * @param allow client ranges admitted; empty admits everyone not denied
 * @param deny client ranges refused (403); deny wins over allow
 * @param rateLimiter null when the route has no local rate limit; shared with later snapshots of the same route
 * @param rateKey whose bucket a request draws from: client address or a header
 * @param websocket a WebSocket upgrade request (RFC 6455 section 4.1) is tunnelled; false: answered 403
 * @param label the route's {@code name}, or its match written compactly ({@code blue.labs.test}, {@code /green},
 *     {@code labs.test/api}, {@code *} for a route that matches everything): the {@code route} label of metrics
 * @param series where the route's requests count (upstream {@code ""} for a redirect route, and for the
 *     requests of a split route answered before a side was chosen)
 * @param redirect non-null for a route Bascule answers itself with a redirect, instead of forwarding
 * @param requestHeaders edits of the request sent upstream
 * @param responseHeaders edits of the response sent to the client: relayed from an origin, or the redirect
 * @param mirror where copies of a share of the route's requests also go; null for none. A split route's sides
 *     share it, so a request is copied or not whatever side serves it
 * @param split non-null for a route split across upstreams: the data plane forwards with the action of the side
 *     it chooses ({@link RouteSplit#next}, {@link RouteSplit#stick}), never with this one
 * @param globalLimit non-null for a rate limit with {@code scope: global}, counted in Redis (then {@code
 *     rateLimiter} is null); its client key is {@code rateKey}
 */
public record RouteAction(Pool pool, RetryPolicy retry, long maxBodySize, boolean hostNamed, AddressRanges allow,
        AddressRanges deny, RateLimiter rateLimiter, AffinityKey rateKey, boolean websocket, String label, RouteSeries series,
        Redirect redirect, HeaderEdits requestHeaders, HeaderEdits responseHeaders, Mirror mirror,
        RouteSplit split, GlobalRateLimit globalLimit) {

    public RouteAction {
        int targets = (pool == null ? 0 : 1) + (redirect == null ? 0 : 1) + (split == null ? 0 : 1);
        if (targets != 1) {
            throw new IllegalArgumentException("a route has a pool, a split or a redirect, one of the three");
        }
        if (redirect != null && mirror != null) {
            throw new IllegalArgumentException("a redirect route forwards nothing, so it mirrors nothing");
        }
        if (rateLimiter != null && globalLimit != null) {
            throw new IllegalArgumentException("a route's rate limit is local or global, not both");
        }
    }

    /** A route to a pool without a mirror, or a redirect route. */
    public RouteAction(Pool pool, RetryPolicy retry, long maxBodySize, boolean hostNamed, AddressRanges allow,
            AddressRanges deny, RateLimiter rateLimiter, AffinityKey rateKey, boolean websocket, String label,
            RouteSeries series, Redirect redirect, HeaderEdits requestHeaders, HeaderEdits responseHeaders) {
        this(pool, retry, maxBodySize, hostNamed, allow, deny, rateLimiter, rateKey, websocket, label, series,
                redirect, requestHeaders, responseHeaders, null, null, null);
    }

    /** This route's action for one side of its split: the same policies, with that side's pool and series. */
    public RouteAction forSide(Pool sidePool, RouteSeries sideSeries) {
        return new RouteAction(sidePool, retry, maxBodySize, hostNamed, allow, deny, rateLimiter, rateKey, websocket,
                label, sideSeries, null, requestHeaders, responseHeaders, mirror, null, globalLimit);
    }

    /**
     * This route's action as a split: no pool of its own; {@code ownSeries} counts what no side answered. It keeps
     * the route's mirror for explain and the metrics; the data plane copies requests with the side's action, whose
     * mirror is the same one (one counter per route, whatever side a request goes to).
     */
    public RouteAction asSplit(RouteSplit sides, RouteSeries ownSeries) {
        return new RouteAction(null, retry, maxBodySize, hostNamed, allow, deny, rateLimiter, rateKey, websocket,
                label, ownSeries, null, requestHeaders, responseHeaders, mirror, sides, globalLimit);
    }

    /** Every series this route counts in: its own, then each side's of a split. */
    public List<RouteSeries> allSeries() {
        if (split == null) {
            return List.of(series);
        }
        List<RouteSeries> all = new ArrayList<>(split.sides().size() + 1);
        all.add(series);
        for (RouteSplit.Side side : split.sides()) {
            all.add(side.action().series());
        }
        return all;
    }

    /** The upstream's name; {@code ""} for a redirect route, as metrics label it. */
    public String upstreamName() {
        return pool == null ? "" : pool.name();
    }

    /** Whether a client at {@code address} may use this route: not denied, and allowed when a list exists. */
    public boolean admits(byte[] address) {
        if (deny.contains(address)) {
            return false;
        }
        return allow.isEmpty() || allow.contains(address);
    }

    @Override
    public String toString() {
        if (split != null) {
            StringBuilder b = new StringBuilder("split");
            for (RouteSplit.Side side : split.sides()) {
                b.append(b.length() == 5 ? " " : ", ").append(side.upstream()).append(' ').append(side.weight());
            }
            return b.toString();
        }
        return pool != null ? pool.name() : "redirect " + redirect;
    }
}
