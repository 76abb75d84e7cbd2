package dev.bascule.route;

import java.util.List;
import java.util.Objects;

/**
 * One compiled routing rule: optional host and path conditions, optional conditions on headers, cookies, the
 * query and the method ({@link RequestCondition}, all of which must hold), and where matching requests go.
 *
 * <p>Immutable and thread-safe.
 *
 * @param <T> the route's target, such as the upstream pool of a snapshot
 */
public final class Route<T> {
    private final HostMatcher host;
    private final PathPrefix pathPrefix;
    private final boolean stripPrefix;
    private final RequestCondition[] conditions;
    private final T target;

    /**
     * @param host null matches any host
     * @param pathPrefix null matches any path
     * @param stripPrefix remove the matched prefix from the forwarded target; requires a path prefix
     */
    public Route(HostMatcher host, PathPrefix pathPrefix, boolean stripPrefix, T target) {
        this(host, pathPrefix, stripPrefix, List.of(), target);
    }

    /** @param conditions every one must hold as well; empty for none */
    public Route(HostMatcher host, PathPrefix pathPrefix, boolean stripPrefix, List<RequestCondition> conditions,
            T target) {
        if (stripPrefix && pathPrefix == null) {
            throw new IllegalArgumentException("strip_prefix needs a path_prefix");
        }
        this.host = host;
        this.pathPrefix = pathPrefix;
        this.stripPrefix = stripPrefix;
        this.conditions = conditions.toArray(new RequestCondition[0]);
        this.target = Objects.requireNonNull(target, "target");
    }

    /** Host and path only: a route with other conditions never matches this way. */
    public boolean matches(CharSequence requestHost, CharSequence requestTarget) {
        return conditions.length == 0 && matchesHost(requestHost) && matchesPath(requestTarget);
    }

    /** Every condition: host and path first, as they are the cheapest and tell most routes apart. */
    public boolean matches(CharSequence requestHost, CharSequence requestTarget, RequestFields request) {
        return matchesHost(requestHost) && matchesPath(requestTarget) && matchesConditions(requestTarget, request);
    }

    /** The conditions beyond host and path alone: true without any. */
    public boolean matchesConditions(CharSequence requestTarget, RequestFields request) {
        for (RequestCondition c : conditions) {
            if (!c.holds(requestTarget, request)) {
                return false;
            }
        }
        return true;
    }

    /** The conditions beyond host and path, in the order written. */
    public List<RequestCondition> conditions() {
        return List.of(conditions);
    }

    /** The host condition alone: true without one. */
    public boolean matchesHost(CharSequence requestHost) {
        return host == null || host.matches(requestHost);
    }

    /** The path condition alone: true without one. */
    public boolean matchesPath(CharSequence requestTarget) {
        return pathPrefix == null || pathPrefix.matches(requestTarget);
    }

    /** The target to send upstream: the request's own, or with this route's prefix removed. */
    public String rewriteTarget(String requestTarget) {
        return stripPrefix ? pathPrefix.strip(requestTarget) : requestTarget;
    }

    public T target() {
        return target;
    }

    /** The host condition; null when the route matches any host. */
    public HostMatcher host() {
        return host;
    }

    /** The path condition; null when the route matches any path. */
    public PathPrefix pathPrefix() {
        return pathPrefix;
    }

    /** Whether the matched prefix is removed from the forwarded target. */
    public boolean stripPrefix() {
        return stripPrefix;
    }

    @Override
    public String toString() {
        return "route(host=" + host + ", path_prefix=" + pathPrefix + (stripPrefix ? ", strip" : "")
                + (conditions.length == 0 ? "" : ", " + List.of(conditions)) + " -> "
                + target + ")";
    }
}
