package dev.bascule.route;

import java.util.List;

/**
 * An ordered list of routes where the first match wins.
 *
 * <p>Immutable and thread-safe; {@link #match} allocates nothing.
 *
 * @param <T> what a route leads to
 */
public final class RouteTable<T> {
    private final Route<T>[] routes;

    @SuppressWarnings("unchecked")
    public RouteTable(List<Route<T>> routes) {
        this.routes = routes.toArray(new Route[0]);
    }

    /**
     * @param host the request's Host header (port and case ignored), or null when it has none
     * @param target the origin-form request target
     * @return the first route that matches, or null
     */
    public Route<T> match(CharSequence host, CharSequence target) {
        for (Route<T> route : routes) {
            if (route.matches(host, target)) {
                return route;
            }
        }
        return null;
    }

    /**
     * As {@link #match(CharSequence, CharSequence)}, with the routes' header, cookie, query and method conditions
     * read from {@code request}.
     */
    public Route<T> match(CharSequence host, CharSequence target, RequestFields request) {
        for (Route<T> route : routes) {
            if (route.matches(host, target, request)) {
                return route;
            }
        }
        return null;
    }

    public List<Route<T>> routes() {
        return List.of(routes);
    }
}
