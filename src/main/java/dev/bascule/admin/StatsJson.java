package dev.bascule.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bascule.control.CommandException;
import dev.bascule.history.Metric;
import dev.bascule.history.SeriesKind;
import dev.bascule.history.StatsRing;
import dev.bascule.history.StatsWindow;
import java.util.List;

/**
 * {@code GET /stats}: the last seconds of the {@link StatsRing}, shaped for uPlot: one array of sample times (Unix
 * seconds) and, aligned with it, one array per metric of each series, {@code null} where a series did not exist or
 * nothing finished in that second.
 * <pre>
 * {"interval_s": 1, "capacity_s": 900, "time": [1767225600.001, ...],
 *  "total":     {"requests": [...], "errors": [...], "p50_ms": [...], "p99_ms": [...]},
 *  "upstreams": [{"upstream": "web-blue", "requests": [...], "errors": [...], "p50_ms": [...], "p99_ms": [...]}],
 *  "servers":   [{"upstream": "web-blue", "address": "127.0.0.1:9001", "requests": [...], ...}],
 *  "routes":    [{"route": "blue.labs.test", "upstream": "web-blue", "requests": [...], "errors": [...],
 *                 "2xx": [...], "3xx": [...], "4xx": [...], "5xx": [...], "p50_ms": [...], "p99_ms": [...]}]}
 * </pre>
 * Rates are per second; {@code route} {@code ""} with upstream {@code ""} counts requests no route matched.
 *
 * <p>Stateless.
 */
final class StatsJson {
    /** The windows a page asks for: the chart's whole span, and short ones for the updates each second. */
    static final List<String> WINDOWS = List.of("30s", "5m", "15m");
    static final List<String> PARAMETERS = List.of("window", "since");

    /** What {@code /stats?window=W&since=T} asks for. */
    record Query(int seconds, long sinceMillis) {}

    private StatsJson() {}

    /**
     * @throws CommandException 400 for a window other than {@link #WINDOWS} or a {@code since} that is no number
     */
    static Query query(String target) {
        QueryParameters p = QueryParameters.of(target, PARAMETERS);
        String window = p.single("window");
        int seconds = switch (window == null ? "15m" : window) {
            case "30s" -> 30;
            case "5m" -> 300;
            case "15m" -> 900;
            default -> throw new CommandException(400, "window must be one of " + String.join(", ", WINDOWS)
                    + "; got '" + window + "'");
        };
        String since = p.single("since");
        long sinceMillis = Long.MIN_VALUE;
        if (since != null) {
            try {
                double s = Double.parseDouble(since);
                if (!Double.isFinite(s)) {
                    throw new NumberFormatException();
                }
                sinceMillis = Math.round(s * 1000);
            } catch (NumberFormatException e) {
                throw new CommandException(400, "since must be a time in Unix seconds, such as 1767225600.001; got '"
                        + since + "'");
            }
        }
        return new Query(seconds, sinceMillis);
    }

    static ObjectNode of(StatsWindow w) {
        ObjectNode root = Json.object();
        root.put("interval_s", w.intervalMillis() / 1000.0);
        root.put("capacity_s", w.capacitySeconds());
        ArrayNode time = root.putArray("time");
        for (long t : w.timesMillis()) {
            time.add(t / 1000.0);
        }
        ObjectNode total = root.putObject("total");
        StatsWindow.SeriesWindow totals = w.find(SeriesKind.TOTAL, "", "");
        if (totals != null) {
            values(total, totals);
        } else {
            for (Metric m : SeriesKind.TOTAL.metrics()) {
                total.putArray(m.key());
            }
        }
        ArrayNode upstreams = root.putArray("upstreams");
        ArrayNode servers = root.putArray("servers");
        ArrayNode routes = root.putArray("routes");
        for (StatsWindow.SeriesWindow s : w.series()) {
            switch (s.kind()) {
                case TOTAL -> { }
                case UPSTREAM -> values(upstreams.addObject().put("upstream", s.upstream()), s);
                case SERVER -> values(servers.addObject().put("upstream", s.upstream()).put("address", s.name()), s);
                case ROUTE -> values(routes.addObject().put("route", s.name()).put("upstream", s.upstream()), s);
            }
        }
        return root;
    }

    private static void values(ObjectNode into, StatsWindow.SeriesWindow s) {
        List<Metric> metrics = s.kind().metrics();
        for (int m = 0; m < metrics.size(); m++) {
            ArrayNode a = into.putArray(metrics.get(m).key());
            for (float v : s.values()[m]) {
                number(a, v);
            }
        }
    }

    /** Whole numbers without a fraction, others to a thousandth: what a chart shows, in few bytes. */
    private static void number(ArrayNode a, float v) {
        if (Float.isNaN(v)) {
            a.addNull();
        } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            a.add((long) v);
        } else {
            a.add(Math.round(v * 1000.0) / 1000.0);
        }
    }
}
