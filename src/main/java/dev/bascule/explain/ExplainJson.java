package dev.bascule.explain;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bascule.control.HeaderEdits;
import dev.bascule.route.AddressRanges;
import dev.bascule.route.Redirect;
import dev.bascule.route.RequestCondition;
import java.util.List;

/**
 * The parts of an explanation that read the same whether it comes from the running snapshot or from a file: the
 * request, the route list, the winner's retry policy and access verdict, and the outcome. Field names are
 * snake_case and spelled out here, never derived from Java names, so they are a contract like {@code /status}'s.
 *
 * <p>Stateless.
 */
final class ExplainJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ExplainJson() {}

    static ObjectNode object() {
        return NODES.objectNode();
    }

    static ObjectNode request(Question q) {
        ObjectNode r = object();
        r.put("host", q.host());
        r.put("path", q.path());
        r.put("method", q.method());
        r.put("client", q.client());
        ArrayNode headers = r.putArray("headers");
        for (Question.Header h : q.headers()) {
            headers.addObject().put("name", h.name()).put("value", h.value());
        }
        return r;
    }

    /** Every route in order: whether it matched, why not, and whether it is the one that won. */
    static ArrayNode routes(List<RouteCheck> checks, RouteCheck winner) {
        ArrayNode routes = NODES.arrayNode();
        for (RouteCheck c : checks) {
            ObjectNode r = routes.addObject();
            r.put("index", c.index());
            r.put("label", c.label());
            r.put("host", c.host());
            r.put("path_prefix", c.pathPrefix());
            r.put("strip_prefix", c.stripPrefix());
            r.put("upstream", c.upstream());
            if (c.redirect() != null) {
                r.put("redirect", c.redirect());
            }
            if (!c.conditions().isEmpty()) {
                ArrayNode conditions = r.putArray("conditions");
                for (RouteCheck.ConditionCheck cc : c.conditions()) {
                    ObjectNode o = conditions.addObject();
                    o.put("kind", cc.kind());
                    if (cc.condition().kind() == RequestCondition.Kind.METHOD) {
                        ArrayNode methods = o.putArray("methods");
                        cc.condition().methods().forEach(methods::add);
                    } else {
                        o.put("name", cc.condition().name());
                        o.put("value", cc.condition().value());
                    }
                    o.put("found", cc.found());
                    o.put("held", cc.held());
                }
            }
            r.put("matched", c.matched());
            r.put("won", c == winner);
            r.put("why", c.why());
        }
        return routes;
    }

    /**
     * A route's {@code mirror}: the upstream copies go to, the share copied ({@code percent}, as a number) and how
     * many may be out at once.
     *
     * @param percent the share as written, such as {@code 10} or {@code 0.5}
     */
    static ObjectNode mirror(String upstream, String percent, int maxInFlight) {
        ObjectNode m = object();
        m.put("upstream", upstream);
        m.put("percent", new java.math.BigDecimal(percent));
        m.put("max_in_flight", maxInFlight);
        return m;
    }

    /** A route's {@code request_headers} or {@code response_headers}; null when it has none. */
    static ObjectNode edits(HeaderEdits edits) {
        if (edits.isEmpty()) {
            return null;
        }
        ObjectNode e = object();
        ObjectNode set = e.putObject("set");
        edits.set().forEach(f -> set.put(f.name(), f.value()));
        ObjectNode add = e.putObject("add");
        edits.add().forEach(f -> add.put(f.name(), f.value()));
        ArrayNode remove = e.putArray("remove");
        edits.remove().forEach(remove::add);
        return e;
    }

    /** A redirect route's answer to this question: its status and Location. */
    static ObjectNode redirect(Redirect redirect, String location) {
        ObjectNode r = object();
        r.put("status", redirect.status());
        r.put("location", location);
        r.put("keep_path", redirect.keepPath());
        return r;
    }

    /** The winner's identity and the target it sends upstream; the caller adds what the route does. */
    static ObjectNode winner(RouteCheck winner, String upstreamTarget) {
        ObjectNode r = object();
        r.put("index", winner.index());
        r.put("label", winner.label());
        r.put("upstream", winner.upstream());
        r.put("strip_prefix", winner.stripPrefix());
        r.put("target", upstreamTarget);
        return r;
    }

    /**
     * A retry policy. Only a connect failure is retried for every method; a reset or a 5xx answer is retried
     * only for an idempotent one (RFC 9110 9.2.2), which {@code after_sent} says for the request's method.
     */
    static ObjectNode retry(int attempts, List<String> on, long perTryTimeoutMillis, String method) {
        ObjectNode r = object();
        r.put("attempts", attempts);
        ArrayNode list = r.putArray("on");
        on.forEach(list::add);
        if (perTryTimeoutMillis > 0) {
            r.put("per_try_timeout_ms", perTryTimeoutMillis);
        } else {
            r.putNull("per_try_timeout_ms");
        }
        r.put("after_sent", attempts > 1 && idempotent(method));
        return r;
    }

    /** The RFC 9110 9.2.2 idempotent methods, as the exchange decides whether a sent request may be sent again. */
    static boolean idempotent(String method) {
        return switch (method) {
            case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE" -> true;
            default -> false;
        };
    }

    /**
     * The allow/deny verdict for the question's client, in the order {@code RouteAction.admits} decides it:
     * deny wins, then an allow list admits only what it holds.
     */
    static ObjectNode access(AddressRanges allow, AddressRanges deny, Question q) {
        ObjectNode a = object();
        a.put("client", q.client());
        byte[] client = q.clientBytes();
        String verdict;
        String why;
        if (allow.isEmpty() && deny.isEmpty()) {
            verdict = "allowed";
            why = "the route has no allow or deny list";
        } else if (client == null) {
            verdict = null;
            why = "not checked: no client given";
        } else if (deny.contains(client)) {
            verdict = "denied";
            why = "the client is in the deny list";
        } else if (!allow.isEmpty()) {
            boolean in = allow.contains(client);
            verdict = in ? "allowed" : "denied";
            why = in ? "the client is in the allow list" : "the client is not in the allow list";
        } else {
            verdict = "allowed";
            why = "the client is not in the deny list";
        }
        a.put("verdict", verdict);
        a.put("why", why);
        return a;
    }

    /**
     * What the proxy would do: forward, or answer with a status. {@code unchecked} names what could not be
     * decided (no client given, no live state) and is omitted when empty.
     */
    static ObjectNode outcome(String action, Integer status, String why, List<String> unchecked) {
        ObjectNode o = object();
        o.put("action", action);
        o.put("status", status);
        o.put("why", why);
        if (!unchecked.isEmpty()) {
            ArrayNode list = o.putArray("unchecked");
            unchecked.forEach(list::add);
        }
        return o;
    }

    /**
     * The rate-limit key of a request: the named header's value, or the client's address when the key is the
     * client or the header is absent (as the proxy falls back). Null when that needs a client and none was
     * given.
     */
    static String rateKeyValue(String headerName, Question q) {
        if (headerName != null) {
            String value = q.header(headerName);
            if (value != null) {
                return value;
            }
        }
        return q.client();
    }
}
