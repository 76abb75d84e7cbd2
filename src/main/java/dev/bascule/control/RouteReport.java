package dev.bascule.control;

import dev.bascule.config.BasculeConfig;
import dev.bascule.config.RouteConfig;
import dev.bascule.config.SplitConfig;
import dev.bascule.route.Route;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the admin API's report of every route ({@link RouteStatus}): the file's routes, the split weights in
 * force (the file's or the admin API's), and what the live snapshot makes of them now (a side down).
 *
 * <p>Threading: control thread only (it reads the runtime changes).
 */
final class RouteReport {
    private RouteReport() {}

    static List<RouteStatus> of(BasculeConfig file, RuntimeChanges changes, Snapshot live) {
        Map<String, RouteSplit> liveSplits = new HashMap<>();
        for (Route<RouteAction> r : live.routes().routes()) {
            if (r.target().split() != null) {
                liveSplits.putIfAbsent(r.target().label(), r.target().split());
            }
        }
        List<String> labels = RouteConfig.labels(file.routes());
        List<RouteStatus> report = new ArrayList<>();
        for (int i = 0; i < file.routes().size(); i++) {
            report.add(of(file.routes().get(i), labels.get(i), changes, liveSplits.get(labels.get(i))));
        }
        return report;
    }

    private static RouteStatus of(RouteConfig rc, String label, RuntimeChanges changes, RouteSplit live) {
        List<RouteStatus.Side> sides = null;
        String source = null;
        String sticky = null;
        if (rc.split() != null) {
            Map<String, Integer> inForce = rc.split().weights();
            var change = rc.name() == null ? null : changes.state().split(rc.name());
            if (change != null) {
                inForce = change.weights();
            }
            source = change == null ? "file" : "api";
            sticky = rc.split().sticky() == null ? null : rc.split().sticky().toString();
            sides = new ArrayList<>();
            for (SplitConfig.Side s : rc.split().sides()) {
                int weight = inForce.getOrDefault(s.upstream(), 0);
                RouteSplit.Side now = live == null ? null : side(live, s.upstream());
                sides.add(new RouteStatus.Side(s.upstream(), weight, s.weight(), now == null ? weight : now.share(),
                        now != null && now.down()));
            }
        }
        return new RouteStatus(rc.name(), label, rc.host(), rc.pathPrefix(), rc.stripPrefix(), rc.conditions(),
                rc.upstream(), sides, source, sticky,
                rc.redirect() == null ? null : RouteParts.redirect(rc.redirect()).toString(),
                rc.name() == null ? null : changes.state().rollout(rc.name()));
    }

    private static RouteSplit.Side side(RouteSplit split, String upstream) {
        for (RouteSplit.Side s : split.sides()) {
            if (s.upstream().equals(upstream)) {
                return s;
            }
        }
        return null;
    }
}
