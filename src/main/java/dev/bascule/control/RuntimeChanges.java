package dev.bascule.control;

import dev.bascule.config.BasculeConfig;
import dev.bascule.config.HostPort;
import dev.bascule.config.RouteConfig;
import dev.bascule.config.SplitConfig;
import dev.bascule.release.RolloutState;
import dev.bascule.state.ReleaseState;
import dev.bascule.state.ServerChange;
import dev.bascule.state.SplitChange;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The changes made through the admin API that outlive reloads and restarts (split weights; servers added,
 * removed, reweighted, drained; rollouts, which {@link Rollouts} runs), held as a {@link ReleaseState}: what each one set, and the file's value it
 * overrode. On a reload (and at start, against the state file) each change stays unless the file changed that
 * same thing since; then the file wins and the log says so ({@link #reconcile}).
 *
 * <p>Threading: control thread only.
 */
final class RuntimeChanges {
    private final Clock clock;
    private final Resolver resolver;
    private ReleaseState state = ReleaseState.EMPTY;
    /** The file's members of every upstream, resolved at the last load: where a change finds the file's value. */
    private Map<String, List<Member>> fileMembers = Map.of();

    /** What a reconcile keeps, and what it says about the rest. */
    record Reconciled(ReleaseState state, List<String> messages, boolean changed) {}

    RuntimeChanges(Clock clock, Resolver resolver) {
        this.clock = clock;
        this.resolver = resolver;
    }

    ReleaseState state() {
        return state;
    }

    // ---- meeting a file: at start (with the state file's changes) and on every reload ----

    /**
     * Which of {@code changes} stand against {@code file}; pure, so a reload refused later changes nothing. A
     * change stands while the file still has the value it overrode; otherwise the file changed that same thing
     * since, and it wins.
     *
     * @param fileMembers the file's servers, resolved
     */
    static Reconciled reconcile(ReleaseState changes, BasculeConfig file, Map<String, List<Member>> fileMembers) {
        List<String> messages = new ArrayList<>();
        ReleaseState kept = changes;
        for (SplitChange s : changes.splits()) {
            RouteConfig route = named(file, s.route());
            if (route == null || route.split() == null) {
                messages.add("route '" + s.route() + "': the split set through the admin API ("
                        + SplitConfig.describe(s.weights()) + ") is dropped: the file has "
                        + (route == null ? "no route of that name" : "no split on it") + " now");
                kept = kept.withoutSplit(s.route());
            } else if (!route.split().weights().equals(s.fileWeights())) {
                messages.add("route '" + s.route() + "': the file changed its split since the admin API set it ("
                        + "file then: " + SplitConfig.describe(s.fileWeights()) + "; now: "
                        + SplitConfig.describe(route.split().weights()) + "; API: "
                        + SplitConfig.describe(s.weights()) + "): the file's split applies");
                kept = kept.withoutSplit(s.route());
            }
        }
        for (ServerChange c : changes.servers()) {
            String why = serverVerdict(c, file, fileMembers, changes);
            if (why != null) {
                if (!why.isEmpty()) {
                    messages.add(why);
                }
                kept = kept.withoutServer(c.upstream(), c.address(), c.kind());
            }
        }
        return new Reconciled(kept, messages, !kept.equals(changes));
    }

    /** Null when the change stands; else why it goes ({@code ""}: nothing worth a log line). */
    private static String serverVerdict(ServerChange c, BasculeConfig file, Map<String, List<Member>> fileMembers,
            ReleaseState changes) {
        String server = "upstream '" + c.upstream() + "' server " + c.address();
        if (!file.upstreams().containsKey(c.upstream())) {
            return server + ": the " + c.kind().label() + " change made through the admin API is dropped: the"
                    + " file has no such upstream now";
        }
        Integer now = fileWeight(fileMembers, c.upstream(), c.address());
        switch (c.kind()) {
            case DRAINED -> {
                // The file has no word on draining: the drain stands while the server is there at all.
                boolean there = now != null || changes.server(c.upstream(), c.address(), ServerChange.Kind.ADDED) != null;
                return there ? null : "";
            }
            case REMOVED -> {
                if (now == null) {
                    return ""; // the file took it out too
                }
            }
            default -> {
                // ADDED (the file did not list it), WEIGHT (the file's weight then)
            }
        }
        if (Objects.equals(now, c.fileWeight())) {
            return null;
        }
        return switch (c.kind()) {
            case ADDED -> server + ": the file lists it now (weight " + now + "): the file's entry applies instead"
                    + " of the one added through the admin API";
            case REMOVED -> server + ": the file changed its entry since the admin API removed it (weight "
                    + c.fileWeight() + " then, " + now + " now): it is back, as the file says";
            case WEIGHT -> now == null ? "" : server + ": the file changed its weight since the admin API set it"
                    + " (file then: " + c.fileWeight() + "; now: " + now + "; API: " + c.weight() + "): the file's"
                    + " weight applies";
            case DRAINED -> null; // decided above
        };
    }

    /** Takes a fleet's state as the changes in force, against the same file (the fleet's config). */
    void replaceState(ReleaseState next) {
        state = next;
    }

    /** The file's servers with the changes in force ({@link #apply(Map, Consumer)} on the last load's servers). */
    Map<String, List<Member>> applyToFile(Consumer<String> log) {
        return apply(fileMembers, log);
    }

    /** Takes the outcome of {@link #reconcile} as the changes in force, against the file's resolved servers. */
    void adopt(Reconciled reconciled, Map<String, List<Member>> nextFileMembers) {
        state = reconciled.state();
        fileMembers = nextFileMembers;
    }

    // ---- applying ----

    /** The file's config with the split weights set through the admin API. */
    BasculeConfig apply(BasculeConfig file) {
        if (state.splits().isEmpty()) {
            return file;
        }
        List<RouteConfig> routes = new ArrayList<>(file.routes().size());
        for (RouteConfig rc : file.routes()) {
            SplitChange s = rc.name() == null || rc.split() == null ? null : state.split(rc.name());
            routes.add(s == null ? rc : rc.withSplit(rc.split().withWeights(s.weights())));
        }
        return file.withRoutes(routes);
    }

    /**
     * The file's servers with the admin API's changes: added servers after the file's, removed ones left out,
     * weights replaced. An added server whose host no longer resolves is left out, and said so.
     *
     * @param log where to say so
     */
    Map<String, List<Member>> apply(Map<String, List<Member>> file, Consumer<String> log) {
        Map<String, List<Member>> result = new LinkedHashMap<>();
        for (Map.Entry<String, List<Member>> e : file.entrySet()) {
            String upstream = e.getKey();
            List<Member> list = new ArrayList<>();
            for (Member m : e.getValue()) {
                if (state.server(upstream, m.address(), ServerChange.Kind.REMOVED) != null) {
                    continue;
                }
                ServerChange w = state.server(upstream, m.address(), ServerChange.Kind.WEIGHT);
                list.add(w == null ? m : m.withWeight(w.weight()));
            }
            for (ServerChange c : state.servers()) {
                if (c.kind() == ServerChange.Kind.ADDED && c.upstream().equals(upstream)) {
                    try {
                        list.add(member(c));
                    } catch (UnknownHostException | IllegalArgumentException ex) {
                        log.accept("upstream '" + upstream + "' server " + c.address() + " added through the admin API"
                                + " is left out: cannot resolve it (" + ex.getMessage() + ")");
                    }
                }
            }
            result.put(upstream, list);
        }
        return result;
    }

    private Member member(ServerChange c) throws UnknownHostException {
        HostPort hp = HostPort.parse(c.address());
        InetAddress ip = MemberResolution.isIpLiteral(hp.host()) ? InetAddress.getByName(hp.host())
                : resolver.resolve(hp.host()).get(0);
        return new Member(c.address(), new InetSocketAddress(ip, hp.port()), c.weight(), Member.Source.API, null);
    }

    /** The servers drained through the admin API, as (upstream, address). */
    List<ServerChange> drained() {
        return state.servers().stream().filter(c -> c.kind() == ServerChange.Kind.DRAINED).toList();
    }

    // ---- recording the admin API's commands ----

    /** A split set; back to none when it is the file's. */
    void splitSet(String route, Map<String, Integer> weights, Map<String, Integer> fileWeights) {
        state = weights.equals(fileWeights) ? state.withoutSplit(route)
                : state.withSplit(new SplitChange(route, weights, fileWeights, clock.instant()));
    }

    /** A rollout started, moved on, or ended; the last one of its route is kept. */
    void rolloutSet(RolloutState rollout) {
        state = state.withRollout(rollout);
    }

    /** Added: a server the file lists (removed through the API, now back) is the file's again, at this weight. */
    void serverAdded(String upstream, String address, int weight) {
        Integer file = fileWeight(fileMembers, upstream, address);
        state = state.withoutServer(upstream, address);
        if (file == null) {
            state = state.withServer(new ServerChange(upstream, address, ServerChange.Kind.ADDED, weight, null,
                    clock.instant()));
        } else if (file != weight) {
            state = state.withServer(new ServerChange(upstream, address, ServerChange.Kind.WEIGHT, weight, file,
                    clock.instant()));
        }
    }

    /** Taken out for good: an added server is forgotten; one of the file's is recorded as removed. */
    void serverRemoved(String upstream, String address) {
        boolean added = state.server(upstream, address, ServerChange.Kind.ADDED) != null;
        state = state.withoutServer(upstream, address);
        Integer file = fileWeight(fileMembers, upstream, address);
        if (!added && file != null) {
            state = state.withServer(new ServerChange(upstream, address, ServerChange.Kind.REMOVED, 0, file,
                    clock.instant()));
        }
    }

    void weightSet(String upstream, String address, int weight) {
        ServerChange added = state.server(upstream, address, ServerChange.Kind.ADDED);
        if (added != null) {
            state = state.withServer(new ServerChange(upstream, address, ServerChange.Kind.ADDED, weight,
                    added.fileWeight(), added.at()));
            return;
        }
        Integer file = fileWeight(fileMembers, upstream, address);
        state = Objects.equals(file, weight) ? state.withoutServer(upstream, address, ServerChange.Kind.WEIGHT)
                : state.withServer(new ServerChange(upstream, address, ServerChange.Kind.WEIGHT, weight, file,
                        clock.instant()));
    }

    void drainSet(String upstream, String address, boolean draining) {
        state = !draining ? state.withoutServer(upstream, address, ServerChange.Kind.DRAINED)
                : state.withServer(new ServerChange(upstream, address, ServerChange.Kind.DRAINED, 0,
                        fileWeight(fileMembers, upstream, address), clock.instant()));
    }

    // ---- the file's values ----

    /** The weight the file gives that server; null when the file does not list it. */
    static Integer fileWeight(Map<String, List<Member>> fileMembers, String upstream, String address) {
        for (Member m : fileMembers.getOrDefault(upstream, List.of())) {
            if (m.address().equals(address)) {
                return m.weight();
            }
        }
        return null;
    }

    /** The file's split weights of a named route; null when it has no such split route. */
    static Map<String, Integer> fileSplit(BasculeConfig file, String route) {
        RouteConfig rc = named(file, route);
        return rc == null || rc.split() == null ? null : rc.split().weights();
    }

    static RouteConfig named(BasculeConfig file, String name) {
        for (RouteConfig rc : file.routes()) {
            if (name.equals(rc.name())) {
                return rc;
            }
        }
        return null;
    }
}
