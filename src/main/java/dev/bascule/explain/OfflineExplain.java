package dev.bascule.explain;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bascule.config.BasculeConfig;
import dev.bascule.config.Cidr;
import dev.bascule.config.MirrorConfig;
import dev.bascule.config.RateLimitConfig;
import dev.bascule.config.RetryConfig;
import dev.bascule.config.RouteConfig;
import dev.bascule.config.ServerConfig;
import dev.bascule.config.SplitConfig;
import dev.bascule.config.UpstreamConfig;
import dev.bascule.route.AddressRanges;
import dev.bascule.control.RouteParts;
import dev.bascule.route.Redirect;
import dev.bascule.route.Route;
import dev.bascule.upstream.Cookies;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * Explains a request against a config file, before it is deployed: the routing part only. Routes are compiled
 * with the same matchers a snapshot's are, so which route wins, why the others did not, and the target sent
 * upstream are what the proxy would do with that file. There is no live state: no server health, in-flight
 * counts, rate-limit tokens or balancer position, and no DNS lookup.
 *
 * <p>Stateless.
 */
final class OfflineExplain {
    /** What an explanation from a file cannot know. */
    static final String NO_LIVE_STATE = "server states and rate-limit tokens: explained from the file, not a"
            + " running proxy";

    private OfflineExplain() {}

    static ObjectNode explain(BasculeConfig config, Question q) {
        ObjectNode root = ExplainJson.object();
        root.set("request", ExplainJson.request(q));
        root.putObject("config").put("file", config.source());

        List<Route<RouteConfig>> routes = new ArrayList<>();
        for (RouteConfig rc : config.routes()) {
            routes.add(RouteParts.route(rc, rc)); // compiled as a snapshot's are; a loaded config cannot throw
        }
        List<String> labels = RouteConfig.labels(config.routes());
        Map<RouteConfig, String> labelOf = new IdentityHashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            labelOf.put(config.routes().get(i), labels.get(i));
        }
        List<RouteCheck> checks = RouteCheck.all(routes, labelOf::get,
                rc -> rc.split() == null ? rc.upstream() : "split " + SplitConfig.describe(rc.split().weights()),
                rc -> rc.redirect() == null ? null : RouteParts.redirect(rc.redirect()).toString(), q);
        RouteCheck winner = RouteCheck.winner(checks);
        root.set("routes", ExplainJson.routes(checks, winner));
        if (winner == null) {
            root.putNull("route");
            root.putNull("upstream");
            root.set("outcome", ExplainJson.outcome("answer", 404, "no route matched", List.of()));
            return root;
        }
        Route<RouteConfig> route = routes.get(winner.index());
        RouteConfig rc = route.target();
        List<String> unchecked = new ArrayList<>();

        Redirect redirect = RouteParts.redirect(rc.redirect());
        String location = redirect == null ? null : redirect.location(q.path(), route.pathPrefix());
        ObjectNode r = ExplainJson.winner(winner, redirect == null ? route.rewriteTarget(q.path()) : null);
        if (redirect != null) {
            r.set("redirect", ExplainJson.redirect(redirect, location));
        } else {
            r.set("retry", retry(rc.retry() == null ? RetryConfig.DEFAULTS : rc.retry(), q.method()));
            r.put("max_body_size", rc.maxBodySize() >= 0 ? rc.maxBodySize() : null);
            r.put("websocket", rc.websocket());
            r.set("request_headers", ExplainJson.edits(RouteParts.edits(rc.requestHeaders())));
            MirrorConfig m = rc.mirror();
            r.set("mirror", m == null ? null : ExplainJson.mirror(m.upstream(), m.percentText(), m.maxInFlight()));
        }
        r.set("response_headers", ExplainJson.edits(RouteParts.edits(rc.responseHeaders())));
        ObjectNode access = ExplainJson.access(ranges(rc.allow()), ranges(rc.deny()), q);
        r.set("access", access);
        r.set("rate_limit", rateLimit(rc.rateLimit(), q));
        if (rc.split() != null) {
            r.set("split", SplitExplain.offline(rc.split()));
        }
        root.set("route", r);

        UpstreamConfig upstream = rc.upstream() == null ? null : config.upstreams().get(rc.upstream());
        if (upstream == null) {
            root.putNull("upstream");
        } else {
            root.set("upstream", upstream(upstream, q));
        }

        if (access.get("verdict").isNull()) {
            unchecked.add("allow/deny: no client given");
        }
        unchecked.add(NO_LIVE_STATE);
        ObjectNode outcome;
        if ("denied".equals(access.get("verdict").asText(null))) {
            outcome = ExplainJson.outcome("answer", 403, access.get("why").asText(), unchecked);
        } else if (redirect != null) {
            outcome = ExplainJson.outcome("answer", redirect.status(), "redirect to " + location, unchecked);
        } else if (upstream == null) {
            outcome = ExplainJson.outcome("forward", null, "to split " + SplitConfig.describe(rc.split().weights())
                    + " as " + r.get("target").asText(), unchecked);
        } else {
            outcome = ExplainJson.outcome("forward", null,
                    "to upstream " + upstream.name() + " as " + r.get("target").asText(), unchecked);
        }
        root.set("outcome", outcome);
        return root;
    }

    private static ObjectNode retry(RetryConfig retry, String method) {
        List<String> on = new ArrayList<>();
        for (RetryConfig.RetryOn condition : RetryConfig.RetryOn.values()) { // a fixed order, as the live view
            if (retry.on().contains(condition)) {
                on.add(condition.yaml());
            }
        }
        return ExplainJson.retry(retry.attempts(), on,
                retry.perTryTimeout() == null ? 0 : retry.perTryTimeout().toMillis(), method);
    }

    private static ObjectNode rateLimit(RateLimitConfig limit, Question q) {
        if (limit == null) {
            return null;
        }
        ObjectNode l = ExplainJson.object();
        l.put("requests_per_second", limit.requestsPerSecond());
        l.put("burst", limit.burst());
        l.put("key", limit.key().toString());
        l.put("key_value", ExplainJson.rateKeyValue(limit.key().name(), q));
        l.put("scope", limit.global() ? "global" : "local");
        return l;
    }

    private static ObjectNode upstream(UpstreamConfig upstream, Question q) {
        ObjectNode u = ExplainJson.object();
        u.put("name", upstream.name());
        u.put("balancer", upstream.balancer());
        ArrayNode servers = u.putArray("servers");
        for (ServerConfig s : upstream.servers()) {
            servers.addObject().put("address", s.address().toString()).put("weight", s.weight());
        }
        if (upstream.hashKey() != null) {
            ObjectNode h = u.putObject("hash");
            String value = switch (upstream.hashKey().source()) {
                case CLIENT_IP -> null;
                case HEADER -> q.header(upstream.hashKey().name());
                case COOKIE -> Cookies.value(q.header("cookie"), upstream.hashKey().name());
            };
            h.put("key", upstream.hashKey().toString());
            h.put("hashed", value == null ? "client_ip" : upstream.hashKey().source().name().toLowerCase(Locale.ROOT));
            h.put("value", value != null ? value : q.client());
        }
        return u;
    }

    /** As a snapshot compiles them, so the verdict is the proxy's. */
    private static AddressRanges ranges(List<Cidr> cidrs) {
        List<AddressRanges.Range> list = new ArrayList<>(cidrs.size());
        for (Cidr c : cidrs) {
            list.add(new AddressRanges.Range(c.network(), c.prefixLength()));
        }
        return AddressRanges.of(list);
    }
}
