package dev.bascule.history;

import dev.bascule.control.Pool;
import dev.bascule.control.RouteAction;
import dev.bascule.control.Snapshot;
import dev.bascule.route.Route;
import dev.bascule.stats.RouteSeries;
import dev.bascule.stats.RouteStats;
import dev.bascule.stats.ServerStats;
import dev.bascule.upstream.Server;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The recorders one sample reads: every route series (requests no route matched included), every server of
 * every upstream, and the upstreams' names.
 *
 * <p>Immutable (the recorders it points to are not: the data plane writes them, lock-free, while they are read).
 *
 * @param upstreams upstream names in config order
 * @param routes one series per (route label, upstream), in route order, then the unrouted one
 * @param servers every member of every pool, draining ones included, in pool then membership order
 */
public record Recorders(List<String> upstreams, List<RouteSeries> routes, List<ServerRecorder> servers) {

    /** One server of one upstream, and what it answered. */
    public record ServerRecorder(String upstream, String address, ServerStats stats) {}

    public Recorders {
        upstreams = List.copyOf(upstreams);
        routes = List.copyOf(routes);
        servers = List.copyOf(servers);
    }

    /**
     * The recorders of a snapshot. Two routes with the same label and upstream share their recorders; they are
     * read once.
     */
    public static Recorders of(Snapshot snapshot) {
        List<RouteSeries> routes = new ArrayList<>();
        Set<RouteStats> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Route<RouteAction> route : snapshot.routes().routes()) {
            for (RouteSeries series : route.target().allSeries()) { // a split route: one series per side
                if (seen.add(series.stats())) {
                    routes.add(series);
                }
            }
        }
        if (seen.add(snapshot.unrouted().stats())) {
            routes.add(snapshot.unrouted());
        }
        List<ServerRecorder> servers = new ArrayList<>();
        for (Pool pool : snapshot.pools().values()) {
            for (Server s : pool.members()) {
                servers.add(new ServerRecorder(pool.name(), s.address(), s.state().stats()));
            }
        }
        return new Recorders(new ArrayList<>(snapshot.pools().keySet()), routes, servers);
    }
}
