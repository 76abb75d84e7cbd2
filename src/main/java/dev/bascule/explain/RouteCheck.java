package dev.bascule.explain;

import dev.bascule.route.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One route tried against a question: its conditions, and which of them the request met. Routes are checked
 * with the same matchers the proxy routes with ({@link Route#matchesHost}, {@link Route#matchesPath}), so a
 * verdict here is the proxy's.
 *
 * <p>Immutable.
 *
 * @param index the route's position in the config, from 0
 * @param label the route's {@code name}, or its match written compactly: its {@code route} label in metrics
 * @param host the host condition as configured (lower case); null for any host
 * @param pathPrefix the path condition (normalized, without a trailing slash); null for any path
 * @param upstream the upstream the route leads to
 * @param hostMatched the host condition held (or there is none)
 * @param pathMatched the path condition held (or there is none)
 */
record RouteCheck(int index, String label, String host, String pathPrefix, boolean stripPrefix, String upstream,
        boolean hostMatched, boolean pathMatched) {

    /** Why a route did not match; null for none. */
    enum Miss {
        HOST("host did not match"),
        PATH("path prefix did not match"),
        BOTH("neither host nor path prefix matched");

        final String text;

        Miss(String text) {
            this.text = text;
        }
    }

    /** Checks every route, in order: the routes after the winner too, so a shadowed route shows up. */
    static <T> List<RouteCheck> all(List<Route<T>> routes, Function<T, String> labelOf, Function<T, String> upstreamOf,
            Question q) {
        List<RouteCheck> checks = new ArrayList<>(routes.size());
        for (int i = 0; i < routes.size(); i++) {
            Route<T> r = routes.get(i);
            checks.add(new RouteCheck(i, labelOf.apply(r.target()),
                    r.host() == null ? null : r.host().toString(),
                    r.pathPrefix() == null ? null : r.pathPrefix().value(),
                    r.stripPrefix(),
                    upstreamOf.apply(r.target()),
                    r.matchesHost(q.host()),
                    r.matchesPath(q.path())));
        }
        return checks;
    }

    /** The first route that matched: the one the proxy uses. Null when none did. */
    static RouteCheck winner(List<RouteCheck> checks) {
        for (RouteCheck c : checks) {
            if (c.matched()) {
                return c;
            }
        }
        return null;
    }

    boolean matched() {
        return hostMatched && pathMatched;
    }

    Miss miss() {
        if (matched()) {
            return null;
        }
        return !hostMatched && !pathMatched ? Miss.BOTH : hostMatched ? Miss.PATH : Miss.HOST;
    }
}
