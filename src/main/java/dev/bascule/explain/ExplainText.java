package dev.bascule.explain;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an explanation's JSON for a person: the request, one line per route, the winner's policies, one line
 * per server, and the outcome. It prints what the tree holds, so the live fields (server state, in-flight,
 * tokens, next server) appear only in a live explanation.
 *
 * <p>Stateless.
 */
final class ExplainText {
    private ExplainText() {}

    static String render(JsonNode e) {
        StringBuilder out = new StringBuilder();
        JsonNode req = e.get("request");
        out.append(req.get("method").asText()).append(' ').append(req.get("host").asText())
                .append(req.get("path").asText());
        out.append(req.get("client").isNull() ? ", no client given" : ", client " + req.get("client").asText());
        out.append("  (").append(e.at("/config/file").asText()).append(")\n");
        for (JsonNode h : req.get("headers")) {
            out.append("  ").append(h.get("name").asText()).append(": ").append(h.get("value").asText()).append('\n');
        }

        out.append("\nroutes, first match wins:\n");
        List<String[]> rows = new ArrayList<>();
        String winnerIndex = e.get("route").isNull() ? null : e.at("/route/index").asText();
        for (JsonNode r : e.get("routes")) {
            String verdict;
            if (r.get("won").asBoolean()) {
                verdict = "MATCH, wins";
            } else if (r.get("matched").asBoolean()) {
                verdict = "matches too, but route " + winnerIndex + " comes first";
            } else {
                verdict = "no: " + r.get("why").asText();
            }
            rows.add(new String[] {r.get("index").asText(),
                    r.get("label").asText() + (r.get("strip_prefix").asBoolean() ? " (strip)" : ""),
                    r.has("redirect") ? "-> redirect " + r.get("redirect").asText() : "-> " + r.get("upstream").asText(),
                    verdict});
        }
        table(out, rows);

        JsonNode route = e.get("route");
        if (!route.isNull()) {
            route(out, route, e.at("/routes/" + route.get("index").asInt() + "/path_prefix").asText());
            if (!e.get("upstream").isNull()) {
                upstream(out, e.get("upstream"));
            }
        }

        JsonNode outcome = e.get("outcome");
        out.append("\noutcome: ").append(outcome.get("action").asText());
        if (!outcome.get("status").isNull()) {
            out.append(' ').append(outcome.get("status").asInt());
        }
        out.append(", ").append(outcome.get("why").asText()).append('\n');
        for (JsonNode u : outcome.path("unchecked")) {
            out.append("not checked: ").append(u.asText()).append('\n');
        }
        return out.toString();
    }

    /** @param prefix the winner's path prefix */
    private static void route(StringBuilder out, JsonNode route, String prefix) {
        JsonNode redirect = route.get("redirect");
        out.append("\nroute ").append(route.get("index").asText()).append(" (").append(route.get("label").asText())
                .append(") -> ").append(redirect != null ? "redirect" : route.has("split") ? route.get("upstream").asText()
                        : "upstream " + route.get("upstream").asText())
                .append('\n');
        List<String[]> rows = new ArrayList<>();
        if (redirect != null) {
            rows.add(new String[] {"redirect:", redirect.get("status").asInt() + " to "
                    + redirect.get("location").asText() + (redirect.get("keep_path").asBoolean() ? " (keep_path)" : "")});
            edits(rows, "response headers:", route.get("response_headers"));
            access(rows, route);
            table(out, rows);
            return;
        }
        String target = route.get("target").asText();
        rows.add(new String[] {"target sent:", route.get("strip_prefix").asBoolean()
                ? target + " (strip_prefix removes " + prefix + ")" : target});
        JsonNode retry = route.get("retry");
        List<String> on = new ArrayList<>();
        retry.get("on").forEach(c -> on.add(c.asText()));
        String retryText = retry.get("attempts").asInt() + " attempt" + (retry.get("attempts").asInt() == 1 ? "" : "s")
                + (on.isEmpty() ? "" : " on " + String.join(", ", on))
                + (retry.get("per_try_timeout_ms").isNull() ? "" : ", " + retry.get("per_try_timeout_ms").asLong()
                        + " ms per try")
                + "; retried after sending: " + (retry.get("after_sent").asBoolean() ? "yes" : "no");
        rows.add(new String[] {"retry:", retryText});
        JsonNode body = route.get("max_body_size");
        rows.add(new String[] {"max body size:", body.isNull() ? "no limit" : body.asLong() + " bytes"});
        rows.add(new String[] {"websocket:", route.get("websocket").asBoolean() ? "tunnelled" : "refused (403)"});
        split(rows, route.get("split"));
        edits(rows, "request headers:", route.get("request_headers"));
        edits(rows, "response headers:", route.get("response_headers"));
        mirror(rows, route.get("mirror"));
        access(rows, route);
        table(out, rows);
    }

    /** A route's mirror in one row, when it has one: {@code 10% to web-green, at most 100 in flight (3 now)}. */
    private static void mirror(List<String[]> rows, JsonNode m) {
        if (m == null || m.isNull()) {
            return;
        }
        String text = m.get("percent").asText() + "% of requests copied to " + m.get("upstream").asText()
                + ", answers discarded; at most " + m.get("max_in_flight").asInt() + " in flight";
        if (m.has("in_flight")) {
            text += " (" + m.get("in_flight").asInt() + " now)";
            if (!m.get("routable").asBoolean()) {
                text += "; no routable server: copies are dropped";
            }
        }
        rows.add(new String[] {"mirror:", text});
    }

    /**
     * A split route's sides in one row ({@code web-blue 90, web-green 10 (down: its share goes to the others)}),
     * and where this request goes.
     */
    private static void split(List<String[]> rows, JsonNode split) {
        if (split == null || split.isNull()) {
            return;
        }
        List<String> sides = new ArrayList<>();
        for (JsonNode s : split.get("sides")) {
            String side = s.get("upstream").asText() + " " + s.get("weight").asInt();
            if (s.path("down").asBoolean()) {
                side += " (down: its share goes to the others)";
            }
            sides.add(side);
        }
        rows.add(new String[] {"split:", String.join(", ", sides)});
        String by = split.get("sticky").isNull() ? "by turns" : "sticky by " + split.get("sticky").asText();
        if (split.has("upstream")) {
            JsonNode up = split.get("upstream");
            by += up.isNull() ? "; " + split.get("why").asText() : "; this request: " + up.asText();
        }
        rows.add(new String[] {"side:", by});
    }

    /** A route's header edits in one row, when it has any: {@code remove server; set x-env: prod; add x-tag: a}. */
    private static void edits(List<String[]> rows, String title, JsonNode edits) {
        if (edits == null || edits.isNull()) {
            return;
        }
        List<String> parts = new ArrayList<>();
        for (JsonNode name : edits.get("remove")) {
            parts.add("remove " + name.asText());
        }
        edits.get("set").fields().forEachRemaining(f -> parts.add("set " + f.getKey() + ": " + f.getValue().asText()));
        edits.get("add").fields().forEachRemaining(f -> parts.add("add " + f.getKey() + ": " + f.getValue().asText()));
        rows.add(new String[] {title, String.join("; ", parts)});
    }

    /** The allow/deny verdict and the rate limit, which apply to every route. */
    private static void access(List<String[]> rows, JsonNode route) {
        JsonNode access = route.get("access");
        rows.add(new String[] {"access:", (access.get("verdict").isNull() ? "" : access.get("verdict").asText() + ": ")
                + access.get("why").asText()});
        JsonNode limit = route.get("rate_limit");
        if (limit.isNull()) {
            rows.add(new String[] {"rate limit:", "none"});
        } else {
            String text = limit.get("requests_per_second").asText() + "/s, burst " + limit.get("burst").asInt()
                    + ", key " + limit.get("key").asText()
                    + (limit.get("key_value").isNull() ? "" : " = " + limit.get("key_value").asText());
            if ("global".equals(limit.path("scope").asText())) {
                text += "; global (buckets in Redis" + (limit.has("redis") ? ", " + limit.get("redis").asText()
                        : "") + ")";
            } else if (limit.has("tokens")) {
                text += limit.get("tokens").isNull() ? "; tokens unknown" : "; tokens now "
                        + limit.get("tokens").asInt();
            }
            rows.add(new String[] {"rate limit:", text});
        }
    }

    private static void upstream(StringBuilder out, JsonNode u) {
        out.append("\nupstream ").append(u.get("name").asText()).append(", balancer ")
                .append(u.get("balancer").asText());
        if (u.path("panic").asBoolean()) {
            out.append(", in panic (no server routable: every non-draining one is a candidate)");
        }
        if (u.path("rejecting").asBoolean()) {
            out.append(", rejecting (no server routable: 503)");
        }
        out.append('\n');
        List<String[]> rows = new ArrayList<>();
        for (JsonNode s : u.get("servers")) {
            List<String> row = new ArrayList<>();
            row.add(s.get("address").asText());
            row.add("weight " + s.get("weight").asInt()
                    + (s.has("slow_start_weight") ? " (" + s.get("slow_start_weight").asInt() + " in slow start)" : ""));
            if (s.has("state")) {
                row.add(s.get("state").asText());
                row.add("in flight " + s.get("in_flight").asInt());
                row.add("latency " + s.get("latency_ms").asText() + " ms");
                row.add(s.get("candidate").asBoolean() ? "candidate" : "not a candidate");
            }
            rows.add(row.toArray(new String[0]));
        }
        table(out, rows);
        if (u.has("next")) {
            out.append("  next in turn: ").append(u.get("next").isNull() ? "none" : u.get("next").asText())
                    .append('\n');
        }
        JsonNode hash = u.get("hash");
        if (hash != null) {
            out.append("  hash key ").append(hash.get("key").asText()).append(": hashes ")
                    .append(hash.get("hashed").asText())
                    .append(hash.get("value").isNull() ? " (unknown: no client given)" : " = " + hash.get("value").asText());
            if (hash.has("server")) {
                out.append(" -> ").append(hash.get("server").isNull() ? "no server" : hash.get("server").asText());
            }
            out.append('\n');
        }
    }

    /** Rows indented by two, columns padded to the widest cell but the last. */
    private static void table(StringBuilder out, List<String[]> rows) {
        int columns = 0;
        for (String[] row : rows) {
            columns = Math.max(columns, row.length);
        }
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        for (String[] row : rows) {
            out.append(' ').append(' ');
            for (int c = 0; c < row.length; c++) {
                out.append(row[c]);
                if (c < row.length - 1) {
                    out.append(" ".repeat(widths[c] - row[c].length() + 2));
                }
            }
            out.append('\n');
        }
    }
}
