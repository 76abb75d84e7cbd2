package dev.bascule.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One routing rule; the first rule that matches a request wins.
 *
 * @param host exact host or a leading wildcard such as {@code *.labs.test}; null matches any host
 * @param pathPrefix segment-aware path prefix; null matches any path
 * @param stripPrefix remove {@code pathPrefix} from the path forwarded to the origin
 * @param upstream name of the upstream that serves the route; null for a {@code redirect} or {@code split} route
 * @param retry when a failed attempt is tried again ({@link RetryConfig#DEFAULTS} when not written)
 * @param allow client ranges allowed (empty: everyone not denied)
 * @param deny client ranges refused with 403; deny wins over allow
 * @param rateLimit null for none
 * @param maxBodySize largest request body in bytes (413 above it); -1 for no limit
 * @param websocket a WebSocket upgrade request (RFC 6455 section 4.1) is tunnelled to the upstream; false: 403
 * @param name null when not written; unique among the routes of a config
 * @param conditions the header, cookie, query and method conditions of {@code match}
 * @param requestHeaders edits of the request sent upstream
 * @param responseHeaders edits of the response sent to the client (relayed, or this route's redirect)
 * @param redirect non-null for a route Bascule answers itself; then {@code upstream} is null
 * @param mirror where copies of a share of the route's requests go; null for none (always for a redirect route)
 * @param split non-null for a route split across upstreams by weight; then {@code upstream} is null
 */
public record RouteConfig(String host, String pathPrefix, boolean stripPrefix, String upstream, RetryConfig retry,
        List<Cidr> allow, List<Cidr> deny, RateLimitConfig rateLimit, long maxBodySize, boolean websocket,
        String name, RequestMatchConfig conditions, HeaderEditsConfig requestHeaders,
        HeaderEditsConfig responseHeaders, RedirectConfig redirect, MirrorConfig mirror, SplitConfig split) {

    public RouteConfig {
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
        int targets = (upstream == null ? 0 : 1) + (redirect == null ? 0 : 1) + (split == null ? 0 : 1);
        if (targets != 1) {
            throw new IllegalArgumentException("a route has an upstream, a split or a redirect, one of the three");
        }
        if (redirect != null && mirror != null) {
            throw new IllegalArgumentException("a redirect route forwards nothing, so it mirrors nothing");
        }
    }

    /** A route to an upstream without a mirror, or a redirect route. */
    public RouteConfig(String host, String pathPrefix, boolean stripPrefix, String upstream, RetryConfig retry,
            List<Cidr> allow, List<Cidr> deny, RateLimitConfig rateLimit, long maxBodySize, boolean websocket,
            String name, RequestMatchConfig conditions, HeaderEditsConfig requestHeaders,
            HeaderEditsConfig responseHeaders, RedirectConfig redirect) {
        this(host, pathPrefix, stripPrefix, upstream, retry, allow, deny, rateLimit, maxBodySize, websocket, name,
                conditions, requestHeaders, responseHeaders, redirect, null, null);
    }

    /** A route to an upstream with no header, cookie, query or method condition and no header edits. */
    public RouteConfig(String host, String pathPrefix, boolean stripPrefix, String upstream, RetryConfig retry,
            List<Cidr> allow, List<Cidr> deny, RateLimitConfig rateLimit, long maxBodySize, boolean websocket,
            String name) {
        this(host, pathPrefix, stripPrefix, upstream, retry, allow, deny, rateLimit, maxBodySize, websocket, name,
                RequestMatchConfig.NONE, HeaderEditsConfig.NONE, HeaderEditsConfig.NONE, null);
    }

    public RouteConfig(String host, String pathPrefix, boolean stripPrefix, String upstream) {
        this(host, pathPrefix, stripPrefix, upstream, RetryConfig.DEFAULTS, List.of(), List.of(), null, -1, true,
                null);
    }

    /**
     * The route's match written compactly, for a route without a name: {@code blue.labs.test}, {@code /green},
     * {@code labs.test/api}, or {@code *} for a route that matches everything; the other conditions follow in
     * brackets ({@code labs.test[x-release=green]}, {@code *[GET|HEAD]}: see {@link RequestMatchConfig#label()}),
     * so routes told apart only by them get labels of their own. It depends on this route alone, so it stays the
     * same when other routes are added before it.
     */
    public String matchLabel() {
        String where = host == null && pathPrefix == null ? "*"
                : (host == null ? "" : host) + (pathPrefix == null ? "" : pathPrefix);
        return where + conditions.label();
    }

    /**
     * The upstream as metrics label it: {@code ""} for a redirect route, which has none, and for the requests of a
     * split route answered before a side was chosen (each side counts under its own upstream).
     */
    public String upstreamLabel() {
        return upstream == null ? "" : upstream;
    }

    /** This split route with other weights (a runtime change); the same route otherwise. */
    public RouteConfig withSplit(SplitConfig next) {
        if (split == null) {
            throw new IllegalStateException("not a split route");
        }
        return new RouteConfig(host, pathPrefix, stripPrefix, upstream, retry, allow, deny, rateLimit, maxBodySize,
                websocket, name, conditions, requestHeaders, responseHeaders, redirect, mirror, next);
    }

    /**
     * The {@code route} label of each route: its name, else its match written compactly. Unnamed routes with the
     * same match (told apart by other conditions) get {@code #2}, {@code #3} ... in order, so no two routes count
     * into one series.
     */
    public static List<String> labels(List<RouteConfig> routes) {
        Set<String> names = new HashSet<>();
        for (RouteConfig rc : routes) {
            if (rc.name() != null) {
                names.add(rc.name());
            }
        }
        Map<String, Integer> seen = new HashMap<>();
        List<String> labels = new ArrayList<>(routes.size());
        for (RouteConfig rc : routes) {
            if (rc.name() != null) {
                labels.add(rc.name());
                continue;
            }
            String label = rc.matchLabel();
            int n = seen.merge(label, 1, Integer::sum);
            String candidate = n == 1 ? label : label + "#" + n;
            while (names.contains(candidate)) {
                n = seen.merge(label, 1, Integer::sum);
                candidate = label + "#" + n;
            }
            labels.add(candidate);
        }
        return labels;
    }
}
