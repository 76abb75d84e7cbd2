package dev.bascule.route;

import java.util.Objects;

/**
 * One compiled routing rule: optional host and path conditions, and where matching requests go.
 *
 * <p>Immutable and thread-safe.
 *
 * @param <T> the route's target, such as the upstream pool of a snapshot
 */
public final class Route<T> {
    private final HostMatcher host;
    private final PathPrefix pathPrefix;
    private final boolean stripPrefix;
    private final T target;

    /**
     * @param host null matches any host
     * @param pathPrefix null matches any path
     * @param stripPrefix remove the matched prefix from the forwarded target; requires a path prefix
     */
    public Route(HostMatcher host, PathPrefix pathPrefix, boolean stripPrefix, T target) {
        if (stripPrefix && pathPrefix == null) {
            throw new IllegalArgumentException("strip_prefix needs a path_prefix");
        }
        this.host = host;
        this.pathPrefix = pathPrefix;
        this.stripPrefix = stripPrefix;
        this.target = Objects.requireNonNull(target, "target");
    }

    public boolean matches(CharSequence requestHost, CharSequence requestTarget) {
        return matchesHost(requestHost) && matchesPath(requestTarget);
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
        return "route(host=" + host + ", path_prefix=" + pathPrefix + (stripPrefix ? ", strip" : "") + " -> "
                + target + ")";
    }
}
