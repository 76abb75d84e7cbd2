package dev.bascule.control;

import dev.bascule.config.HeaderEditsConfig;
import dev.bascule.config.RedirectConfig;
import dev.bascule.config.RequestMatchConfig;
import dev.bascule.config.RouteConfig;
import dev.bascule.route.HostMatcher;
import dev.bascule.route.PathPrefix;
import dev.bascule.route.Redirect;
import dev.bascule.route.RequestCondition;
import dev.bascule.route.Route;
import java.util.ArrayList;
import java.util.List;

/**
 * Compiles the parts of a configured route that the route package and the data plane read: its matchers,
 * conditions, header edits and redirect. A snapshot's routes and an explanation from a file are compiled here
 * alike, so explain decides as the proxy does.
 *
 * <p>Stateless; called off the event loops.
 */
public final class RouteParts {
    private RouteParts() {}

    /** The route's matchers and conditions around {@code target}; the config was validated, so nothing throws. */
    public static <T> Route<T> route(RouteConfig rc, T target) {
        return new Route<>(rc.host() == null ? null : HostMatcher.of(rc.host()),
                rc.pathPrefix() == null ? null : PathPrefix.of(rc.pathPrefix()), rc.stripPrefix(),
                conditions(rc.conditions()), target);
    }

    /** Headers, then cookies, query parameters and methods, each in the order written. */
    public static List<RequestCondition> conditions(RequestMatchConfig m) {
        if (m.isEmpty()) {
            return List.of();
        }
        List<RequestCondition> list = new ArrayList<>();
        m.headers().forEach((name, value) -> list.add(RequestCondition.header(name, value)));
        m.cookies().forEach((name, value) -> list.add(RequestCondition.cookie(name, value)));
        m.query().forEach((name, value) -> list.add(RequestCondition.query(name, value)));
        if (!m.methods().isEmpty()) {
            list.add(RequestCondition.method(m.methods()));
        }
        return list;
    }

    public static HeaderEdits edits(HeaderEditsConfig c) {
        return HeaderEdits.of(c.set(), c.add(), c.remove());
    }

    /** Null for a route to an upstream. */
    public static Redirect redirect(RedirectConfig c) {
        return c == null ? null : new Redirect(c.to(), c.status(), c.keepPath());
    }
}
