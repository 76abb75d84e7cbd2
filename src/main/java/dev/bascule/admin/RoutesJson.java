package dev.bascule.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bascule.config.RequestMatchConfig;
import dev.bascule.control.RouteStatus;
import java.util.List;

/**
 * The JSON view of the routes ({@code GET /routes}): snake_case keys, routes in config order, every key on every
 * route ({@code null} when it does not apply). {@code rollout} is {@code null} until rollouts exist.
 *
 * <p>Stateless.
 */
final class RoutesJson {
    private RoutesJson() {}

    static ObjectNode routes(List<RouteStatus> routes) {
        ObjectNode root = Json.object();
        ArrayNode list = root.putArray("routes");
        routes.forEach(r -> list.add(route(r)));
        return root;
    }

    static ObjectNode route(RouteStatus r) {
        ObjectNode o = Json.object();
        o.put("name", r.name());
        o.put("label", r.label());
        ObjectNode match = o.putObject("match");
        match.put("host", r.host());
        match.put("path_prefix", r.pathPrefix());
        RequestMatchConfig c = r.conditions();
        if (!c.headers().isEmpty()) {
            ObjectNode h = match.putObject("header");
            c.headers().forEach(h::put);
        }
        if (!c.cookies().isEmpty()) {
            ObjectNode k = match.putObject("cookie");
            c.cookies().forEach(k::put);
        }
        if (!c.query().isEmpty()) {
            ObjectNode q = match.putObject("query");
            c.query().forEach(q::put);
        }
        if (!c.methods().isEmpty()) {
            ArrayNode m = match.putArray("method");
            c.methods().forEach(m::add);
        }
        o.put("strip_prefix", r.stripPrefix());
        o.put("upstream", r.upstream());
        if (r.split() == null) {
            o.putNull("split");
        } else {
            ArrayNode sides = o.putArray("split");
            for (RouteStatus.Side s : r.split()) {
                sides.addObject().put("upstream", s.upstream()).put("weight", s.weight())
                        .put("file_weight", s.fileWeight()).put("share", s.share()).put("down", s.down());
            }
        }
        o.put("split_source", r.splitSource());
        if (r.sticky() == null) {
            o.putNull("sticky");
        } else {
            o.putObject("sticky").put("key", r.sticky());
        }
        o.put("redirect", r.redirect());
        o.putNull("rollout");
        return o;
    }
}
