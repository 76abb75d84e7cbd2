package dev.bascule.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bascule.config.RequestMatchConfig;
import dev.bascule.control.RouteStatus;
import dev.bascule.release.RolloutPlan;
import dev.bascule.release.RolloutState;
import dev.bascule.release.StepFigures;
import java.time.Instant;
import java.util.List;

/**
 * The JSON view of the routes ({@code GET /routes}): snake_case keys, routes in config order, every key on every
 * route ({@code null} when it does not apply). {@code rollout} is the route's last rollout, live or over ({@link
 * #rollout}), or {@code null}.
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
        o.set("rollout", r.rollout() == null ? null : rollout(r.rollout()));
        return o;
    }

    /**
     * A rollout: {@code phase}, {@code to}, {@code step} (1-based) of {@code steps}, {@code share} of {@code to}
     * now, the plan ({@code step_interval_ms}, {@code guard}), {@code before} (the split it started from and an
     * abort goes back to), the times (ISO-8601 UTC; {@code ended_at} null while live), {@code reason} (why it
     * ended) and {@code figures}: what each side did in the current step as last judged.
     */
    static ObjectNode rollout(RolloutState r) {
        ObjectNode o = Json.object();
        o.put("phase", r.phase().label());
        o.put("to", r.plan().to());
        o.put("step", r.step() + 1);
        ArrayNode steps = o.putArray("steps");
        r.plan().steps().forEach(steps::add);
        o.put("share", r.share());
        o.put("step_interval_ms", r.plan().stepIntervalMillis());
        RolloutPlan.Guard g = r.plan().guard();
        o.putObject("guard").put("max_error_rate", g.maxErrorRate()).put("max_p99_ratio", g.maxP99Ratio())
                .put("min_requests", g.minRequests());
        ObjectNode before = o.putObject("before");
        r.before().forEach(before::put);
        o.put("started_at", Instant.ofEpochMilli(r.startedAtMillis()).toString());
        o.put("step_started_at", Instant.ofEpochMilli(r.stepStartedAtMillis()).toString());
        o.put("ended_at", r.endedAtMillis() == 0 ? null : Instant.ofEpochMilli(r.endedAtMillis()).toString());
        o.put("reason", r.reason());
        ObjectNode figures = o.putObject("figures");
        figures(figures.putObject("to"), r.to());
        figures(figures.putObject("others"), r.others());
        return o;
    }

    private static void figures(ObjectNode o, StepFigures f) {
        o.put("requests", f.requests());
        o.put("errors", f.errors());
        o.put("error_rate", f.errorRate());
        double p99 = f.p99();
        if (Double.isNaN(p99)) {
            o.putNull("p99_ms");
        } else {
            o.put("p99_ms", Math.round(p99 * 1_000_000) / 1000.0);
        }
    }
}
