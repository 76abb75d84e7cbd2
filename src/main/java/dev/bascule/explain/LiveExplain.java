package dev.bascule.explain;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bascule.balance.AffinityHash;
import dev.bascule.balance.Hash;
import dev.bascule.balance.RoundRobin;
import dev.bascule.control.Mirror;
import dev.bascule.control.Pool;
import dev.bascule.control.RetryPolicy;
import dev.bascule.control.RouteAction;
import dev.bascule.control.Snapshot;
import dev.bascule.control.StatusReport;
import dev.bascule.limit.GlobalRateLimit;
import dev.bascule.route.RateLimiter;
import dev.bascule.route.Redirect;
import dev.bascule.route.Route;
import dev.bascule.upstream.AffinityKey;
import dev.bascule.upstream.Cookies;
import dev.bascule.upstream.Server;
import dev.bascule.upstream.ServerState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Explains a request against one snapshot: the routes, what the winning route does, its pool's servers as they
 * are now and where the balancer would send the request.
 *
 * <p>Everything is read, nothing is taken: no rate-limit token ({@link RateLimiter#tokens}), no round robin
 * position ({@link RoundRobin#peek}), no hash walk ({@link Hash#owner}), no in-flight count, no retry budget.
 * So explaining a request any number of times changes nothing the proxy decides by.
 *
 * <p>Stateless; {@link #explain} may run on any thread, an event loop included: it allocates a small tree, does
 * no I/O and takes no lock.
 */
final class LiveExplain {
    private LiveExplain() {}

    /** @param nowNanos the control plane's clock, the one server states and rate limits are stamped with */
    static ObjectNode explain(Snapshot snapshot, Question q, long nowNanos) {
        ObjectNode root = ExplainJson.object();
        root.set("request", ExplainJson.request(q));
        ObjectNode config = root.putObject("config");
        config.put("file", snapshot.source());
        config.put("version", snapshot.configVersion());
        config.put("snapshot_version", snapshot.version());

        List<Route<RouteAction>> routes = snapshot.routes().routes();
        List<RouteCheck> checks = RouteCheck.all(routes, RouteAction::label,
                action -> action.split() != null ? action.toString()
                        : action.pool() == null ? null : action.pool().name(),
                action -> action.redirect() == null ? null : action.redirect().toString(), q);
        RouteCheck winner = RouteCheck.winner(checks);
        root.set("routes", ExplainJson.routes(checks, winner));
        if (winner == null) {
            root.putNull("route");
            root.putNull("upstream");
            root.set("outcome", ExplainJson.outcome("answer", 404, "no route matched", List.of()));
            return root;
        }
        Route<RouteAction> route = routes.get(winner.index());
        RouteAction action = route.target();
        List<String> unchecked = new ArrayList<>();

        Redirect redirect = action.redirect();
        String location = redirect == null ? null : redirect.location(q.path(), route.pathPrefix());
        ObjectNode r = ExplainJson.winner(winner, redirect == null ? route.rewriteTarget(q.path()) : null);
        if (redirect != null) {
            r.set("redirect", ExplainJson.redirect(redirect, location));
        } else {
            r.set("retry", retry(action.retry(), q.method()));
            r.put("max_body_size", action.maxBodySize() >= 0 ? action.maxBodySize() : null);
            r.put("websocket", action.websocket());
            r.set("request_headers", ExplainJson.edits(action.requestHeaders()));
            r.set("mirror", mirror(action.mirror()));
        }
        r.set("response_headers", ExplainJson.edits(action.responseHeaders()));
        ObjectNode access = ExplainJson.access(action.allow(), action.deny(), q);
        r.set("access", access);
        Integer tokens = null;
        if (action.globalLimit() != null) {
            r.set("rate_limit", globalRateLimit(action.globalLimit(), action.rateKey(), q));
            unchecked.add("rate limit: global, its buckets are in Redis (explaining does not ask it)");
        } else if (action.rateLimiter() == null) {
            r.putNull("rate_limit");
        } else {
            ObjectNode limit = rateLimit(action.rateLimiter(), action.rateKey(), q, nowNanos);
            r.set("rate_limit", limit);
            tokens = limit.get("tokens").isNull() ? null : limit.get("tokens").asInt();
            if (tokens == null) {
                unchecked.add("rate limit: no client given");
            }
        }
        root.set("route", r);

        Pool pool = action.pool();
        if (action.split() != null) {
            ObjectNode split = SplitExplain.live(action.split(), q);
            r.set("split", split);
            RouteAction side = SplitExplain.chosen(action.split(), split);
            pool = side == null ? null : side.pool();
            if (side == null) {
                unchecked.add("split side: " + split.get("why").asText());
            }
        }
        if (pool == null) {
            root.putNull("upstream");
        } else {
            root.set("upstream", upstream(pool, q, nowNanos));
        }

        String verdict = access.get("verdict").isNull() ? null : access.get("verdict").asText();
        if (verdict == null) {
            unchecked.add("allow/deny: no client given");
        }
        ObjectNode outcome;
        if ("denied".equals(verdict)) {
            outcome = ExplainJson.outcome("answer", 403, access.get("why").asText(), unchecked);
        } else if (tokens != null && tokens == 0) {
            outcome = ExplainJson.outcome("answer", 429, "the rate limit bucket of this key is empty", unchecked);
        } else if (redirect != null) {
            outcome = ExplainJson.outcome("answer", redirect.status(), "redirect to " + location, unchecked);
        } else if (pool == null) {
            outcome = ExplainJson.outcome("forward", null, "to " + action + " as " + r.get("target").asText(),
                    unchecked);
        } else if (pool.candidates().isEmpty()) {
            outcome = ExplainJson.outcome("answer", 503, pool.members().isEmpty()
                    ? "upstream " + pool.name() + " has no server"
                    : "no server of upstream " + pool.name() + " is routable", unchecked);
        } else {
            outcome = ExplainJson.outcome("forward", null,
                    "to upstream " + pool.name() + " as " + r.get("target").asText(), unchecked);
        }
        root.set("outcome", outcome);
        return root;
    }

    /** The route's mirror with its copies out now and whether its upstream can take one; null for none. */
    private static ObjectNode mirror(Mirror m) {
        if (m == null) {
            return null;
        }
        ObjectNode j = ExplainJson.mirror(m.pool().name(), m.percentText(), m.maxInFlight());
        j.put("in_flight", m.stats().inFlight());
        j.put("routable", !m.pool().candidates().isEmpty() && !m.pool().panic() && !m.pool().rejectWhenNoneRoutable());
        return j;
    }

    private static ObjectNode retry(RetryPolicy p, String method) {
        List<String> on = new ArrayList<>();
        if (p.onConnectFailure()) {
            on.add("connect_failure");
        }
        if (p.onReset()) {
            on.add("reset");
        }
        if (p.on502()) {
            on.add("502");
        }
        if (p.on503()) {
            on.add("503");
        }
        if (p.on504()) {
            on.add("504");
        }
        return ExplainJson.retry(p.attempts(), on, p.perTryTimeoutMillis(), method);
    }

    private static ObjectNode rateLimit(RateLimiter limiter, AffinityKey key, Question q, long nowNanos) {
        ObjectNode l = ExplainJson.object();
        l.put("requests_per_second", limiter.ratePerSecond());
        l.put("burst", limiter.burst());
        boolean byHeader = key != null && key.source() == AffinityKey.Source.HEADER;
        l.put("key", byHeader ? "header:" + key.name() : "client_ip");
        String value = ExplainJson.rateKeyValue(byHeader ? key.name() : null, q);
        l.put("key_value", value);
        l.put("tokens", value == null ? null : limiter.tokens(value, nowNanos));
        l.put("scope", "local");
        return l;
    }

    /**
     * A global limit: its settings, and whether Redis is out now ({@code redis}: {@code ok} or {@code out}, when
     * this instance's share decides); no tokens, which only Redis knows.
     */
    private static ObjectNode globalRateLimit(GlobalRateLimit limit, AffinityKey key, Question q) {
        ObjectNode l = ExplainJson.object();
        l.put("requests_per_second", limit.ratePerSecond());
        l.put("burst", limit.burst());
        boolean byHeader = key != null && key.source() == AffinityKey.Source.HEADER;
        l.put("key", byHeader ? "header:" + key.name() : "client_ip");
        l.put("key_value", ExplainJson.rateKeyValue(byHeader ? key.name() : null, q));
        l.putNull("tokens");
        l.put("scope", "global");
        l.put("redis", limit.inOutage() ? "out" : "ok");
        return l;
    }

    private static ObjectNode upstream(Pool pool, Question q, long nowNanos) {
        ObjectNode u = ExplainJson.object();
        u.put("name", pool.name());
        u.put("balancer", pool.balancerName());
        u.put("panic", pool.panic());
        u.put("rejecting", pool.rejectWhenNoneRoutable());
        u.put("queue_length", pool.queueLength());
        ArrayNode servers = u.putArray("servers");
        for (Server m : pool.members()) {
            ServerState st = m.state();
            Server candidate = candidate(pool, m);
            ObjectNode s = servers.addObject();
            s.put("address", m.address());
            s.put("weight", m.weight());
            s.put("state", StatusReport.stateLabel(st, nowNanos));
            s.put("in_flight", st.inFlight());
            // Microsecond resolution, as /status shows it.
            s.put("latency_ms", Math.round(st.latency().averageNanos(nowNanos) / 1_000.0) / 1_000.0);
            s.put("candidate", candidate != null);
            if (candidate != null && candidate.weight() != m.weight()) {
                s.put("slow_start_weight", candidate.weight());
            }
        }
        if (pool.balancer() instanceof RoundRobin rr) {
            Server next = rr.peek();
            u.put("next", next == null ? null : next.address());
        }
        if (pool.balancer() instanceof Hash hash) {
            u.set("hash", hash(pool.affinityKey(), q, hash));
        }
        return u;
    }

    /** The pool's candidate for member {@code m} (a slow-starting one is a copy with a lower weight); or null. */
    private static Server candidate(Pool pool, Server m) {
        for (Server c : pool.candidates()) {
            if (c.state() == m.state()) {
                return c;
            }
        }
        return null;
    }

    /**
     * Where the hash balancer sends this request: what it hashes (the configured header or cookie, or the client
     * address when that is the key or the header or cookie is absent, as the proxy falls back) and the ring's
     * owner of that hash.
     */
    private static ObjectNode hash(AffinityKey key, Question q, Hash ring) {
        ObjectNode h = ExplainJson.object();
        String value = switch (key.source()) {
            case CLIENT_IP -> null;
            case HEADER -> q.header(key.name());
            case COOKIE -> Cookies.value(q.header("cookie"), key.name());
        };
        h.put("key", switch (key.source()) {
            case CLIENT_IP -> "client_ip";
            case HEADER -> "header:" + key.name();
            case COOKIE -> "cookie:" + key.name();
        });
        String hashed = value != null ? key.source().name().toLowerCase(Locale.ROOT) : "client_ip";
        if (value == null) {
            value = q.client();
        }
        h.put("hashed", hashed);
        h.put("value", value);
        Server owner = value == null ? null : ring.owner(AffinityHash.hash64(value));
        h.put("server", owner == null ? null : owner.address());
        return h;
    }
}
