package dev.bascule.stats;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The long-lived recorders, by what they count, so that a reload that keeps a route, an upstream or a listener
 * keeps its counts, and one that drops it drops them. The control plane resolves every series of a new snapshot
 * here ({@link #series}, {@link #listener}, {@link #upstream}) and then forgets what the snapshot does not use
 * ({@link #retainOnly}).
 *
 * <p>Threading: resolving and retaining are the control thread's; {@link #localResponses}, {@link
 * #accessLogDropped}, {@link #rateLimitFallbacks} and reads of recorders from any thread.
 */
public final class StatsRegistry {
    private final Map<String, ListenerStats> listeners = new HashMap<>();
    private final Map<String, UpstreamStats> upstreams = new HashMap<>();
    private final Map<RouteKey, RouteStats> routes = new HashMap<>();
    private final Map<RequestKey, StatusCounts> requests = new HashMap<>();
    /** By route label: what each route's mirror did. */
    private final Map<String, MirrorStats> mirrors = new HashMap<>();
    private final AtomicLongArray local = new AtomicLongArray(LocalReason.values().length);
    /** Access log lines lost, over every log a reload opened: the writer fell behind, or could not write. */
    private final AtomicLong accessLogDropped = new AtomicLong();
    /** Requests a global rate limit decided without Redis; added to from every event loop. */
    private final LongAdder rateLimitFallbacks = new LongAdder();
    /** Rollouts ended, by route and result. */
    private final RolloutCounts rollouts = new RolloutCounts();

    private record RouteKey(String route, String upstream) {}

    private record RequestKey(String listener, String route, String upstream) {}

    public ListenerStats listener(String name) {
        ListenerStats l = listeners.get(name);
        if (l == null) {
            l = new ListenerStats(name, freeSlot());
            listeners.put(name, l);
        }
        return l;
    }

    private int freeSlot() {
        int slot = 0;
        while (true) {
            boolean taken = false;
            for (ListenerStats l : listeners.values()) {
                if (l.slot() == slot) {
                    taken = true;
                    break;
                }
            }
            if (!taken) {
                return slot;
            }
            slot++;
        }
    }

    public UpstreamStats upstream(String name) {
        return upstreams.computeIfAbsent(name, n -> new UpstreamStats());
    }

    /**
     * The series of {@code route} sent to {@code upstream}, with request counts for each listener of {@code
     * listenerNames} (resolve those with {@link #listener} first).
     */
    public RouteSeries series(String route, String upstream, Iterable<String> listenerNames) {
        RouteStats stats = routes.computeIfAbsent(new RouteKey(route, upstream), k -> new RouteStats());
        int size = 0;
        for (String name : listenerNames) {
            size = Math.max(size, listener(name).slot() + 1);
        }
        StatusCounts[] byListener = new StatusCounts[size];
        for (String name : listenerNames) {
            byListener[listener(name).slot()] = requests.computeIfAbsent(new RequestKey(name, route, upstream),
                    k -> new StatusCounts());
        }
        for (int i = 0; i < size; i++) {
            if (byListener[i] == null) {
                byListener[i] = new StatusCounts(); // a slot of a listener this snapshot lacks
            }
        }
        return new RouteSeries(route, upstream, stats, byListener);
    }

    /** The mirror counts of the route labelled {@code route}. */
    public MirrorStats mirror(String route) {
        return mirrors.computeIfAbsent(route, r -> new MirrorStats());
    }

    /**
     * Forgets every recorder not named here: what a reload removed starts again from zero should it come back.
     *
     * @param listenerNames the listeners of the new snapshot
     * @param routeSeries every (route, upstream) pair it counts into, as {@code route + '\n' + upstream}
     */
    public void retainOnly(Set<String> listenerNames, Set<String> upstreamNames, Set<String> routeSeries) {
        listeners.keySet().retainAll(listenerNames);
        upstreams.keySet().retainAll(upstreamNames);
        routes.keySet().removeIf(k -> !routeSeries.contains(k.route() + '\n' + k.upstream()));
        requests.keySet().removeIf(k -> !listenerNames.contains(k.listener())
                || !routeSeries.contains(k.route() + '\n' + k.upstream()));
        mirrors.keySet().removeIf(route -> routeSeries.stream().noneMatch(s -> s.startsWith(route + '\n')));
    }

    public void localResponse(LocalReason reason) {
        local.incrementAndGet(reason.ordinal());
    }

    public long localResponses(LocalReason reason) {
        return local.get(reason.ordinal());
    }

    /** The count of access log lines lost, which each access log adds to from its threads. */
    public AtomicLong accessLogDropped() {
        return accessLogDropped;
    }

    /**
     * The count of requests whose global rate limit was decided locally because Redis did not answer in time (or
     * was out); added to from the event loops, read by metrics.
     */
    public LongAdder rateLimitFallbacks() {
        return rateLimitFallbacks;
    }

    /** Rollouts ended, by route and result; counted by the control thread. */
    public RolloutCounts rollouts() {
        return rollouts;
    }

    @Override
    public String toString() {
        return "stats(" + listeners.keySet() + ", " + Objects.toString(upstreams.keySet()) + ")";
    }
}
