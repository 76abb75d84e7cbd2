package dev.bascule.explain;

import dev.bascule.route.RequestCondition;
import dev.bascule.route.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * One route tried against a question: its conditions, and which of them the request met. Routes are checked
 * with the same matchers the proxy routes with ({@link Route#matchesHost}, {@link Route#matchesPath}, {@link
 * RequestCondition#holds}), so a verdict here is the proxy's.
 *
 * <p>Immutable.
 *
 * @param index the route's position in the config, from 0
 * @param label the route's {@code name}, or its match written compactly: its {@code route} label in metrics
 * @param host the host condition as configured (lower case); null for any host
 * @param pathPrefix the path condition (normalized, without a trailing slash); null for any path
 * @param upstream the upstream the route leads to; null for a redirect route
 * @param redirect what a redirect route answers ({@code 301 https://labs.test/new}); null for an upstream route
 * @param hostMatched the host condition held (or there is none)
 * @param pathMatched the path condition held (or there is none)
 * @param conditions the header, cookie, query and method conditions, each with whether it held
 */
record RouteCheck(int index, String label, String host, String pathPrefix, boolean stripPrefix, String upstream,
        String redirect, boolean hostMatched, boolean pathMatched, List<ConditionCheck> conditions) {

    /** Why a route's host or path did not match; null for none. */
    enum Miss {
        HOST("host did not match"),
        PATH("path prefix did not match"),
        BOTH("neither host nor path prefix matched");

        final String text;

        Miss(String text) {
            this.text = text;
        }
    }

    /**
     * One condition beyond host and path, and what the request had there.
     *
     * @param found the header's first value, the cookie's, the query parameter's (decoded) or the method; null
     *     when the request has none
     */
    record ConditionCheck(RequestCondition condition, String found, boolean held) {
        String kind() {
            return condition.kind().name().toLowerCase(Locale.ROOT);
        }

        /** Why it did not hold: {@code header x-release is 'blue', not 'green'}, {@code cookie release is absent}. */
        String why() {
            if (condition.kind() == RequestCondition.Kind.METHOD) {
                return "method " + found + " is not " + String.join(" or ", condition.methods());
            }
            String what = (condition.kind() == RequestCondition.Kind.QUERY ? "query parameter " : kind() + " ")
                    + condition.name();
            return found == null ? what + " is absent"
                    : what + " is '" + found + "', not '" + condition.value() + "'";
        }
    }

    /** Checks every route, in order: the routes after the winner too, so a shadowed route shows up. */
    static <T> List<RouteCheck> all(List<Route<T>> routes, Function<T, String> labelOf, Function<T, String> upstreamOf,
            Function<T, String> redirectOf, Question q) {
        QuestionFields fields = new QuestionFields(q);
        List<RouteCheck> checks = new ArrayList<>(routes.size());
        for (int i = 0; i < routes.size(); i++) {
            Route<T> r = routes.get(i);
            List<ConditionCheck> conditions = new ArrayList<>();
            for (RequestCondition c : r.conditions()) {
                conditions.add(new ConditionCheck(c, c.found(q.path(), fields), c.holds(q.path(), fields)));
            }
            checks.add(new RouteCheck(i, labelOf.apply(r.target()),
                    r.host() == null ? null : r.host().toString(),
                    r.pathPrefix() == null ? null : r.pathPrefix().value(),
                    r.stripPrefix(),
                    upstreamOf.apply(r.target()),
                    redirectOf.apply(r.target()),
                    r.matchesHost(q.host()),
                    r.matchesPath(q.path()),
                    List.copyOf(conditions)));
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
        if (!hostMatched || !pathMatched) {
            return false;
        }
        for (ConditionCheck c : conditions) {
            if (!c.held()) {
                return false;
            }
        }
        return true;
    }

    /** Why the host or path did not match; null when both did. */
    Miss miss() {
        if (hostMatched && pathMatched) {
            return null;
        }
        return !hostMatched && !pathMatched ? Miss.BOTH : hostMatched ? Miss.PATH : Miss.HOST;
    }

    /** Every reason the route did not match, joined by {@code ; }: host or path first, then each condition. */
    String why() {
        if (matched()) {
            return null;
        }
        List<String> reasons = new ArrayList<>();
        Miss miss = miss();
        if (miss != null) {
            reasons.add(miss.text);
        }
        for (ConditionCheck c : conditions) {
            if (!c.held()) {
                reasons.add(c.why());
            }
        }
        return String.join("; ", reasons);
    }
}
