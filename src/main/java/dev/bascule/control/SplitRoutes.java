package dev.bascule.control;

import dev.bascule.balance.AffinityHash;
import dev.bascule.balance.SplitChoice;
import dev.bascule.config.HashKeyConfig;
import dev.bascule.config.SplitConfig;
import dev.bascule.stats.RouteSeries;
import dev.bascule.stats.StatsRegistry;
import dev.bascule.upstream.AffinityKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Builds the split of each split route for {@link SnapshotBuilder}: one action per side over that side's pool
 * (already built, health-filtered), a series per (route, side), and the {@link SplitChoice} over the sides'
 * shares: a side whose every server is down gets 0, so its share goes to the others, unless every side is down
 * (then they keep their weights and each side's {@code when_all_down} applies). The turn counter of each route
 * is kept across snapshots, so health changes and reloads do not restart its cycle.
 *
 * <p>Threading: control thread only.
 */
final class SplitRoutes {
    private final Supplier<RandomGenerator> random;
    /** Each split route's turn counter, by route label; forgotten when the route goes. */
    private final Map<String, AtomicLong> positions = new HashMap<>();

    /** @param random the random source of the event loop a sticky cookie is made on */
    SplitRoutes(Supplier<RandomGenerator> random) {
        this.random = random;
    }

    SplitRoutes() {
        this(ThreadLocalRandom::current);
    }

    /**
     * The split action of a route.
     *
     * @param template the route's action with its policies (any pool; it is replaced)
     * @param series collects every (route, upstream) series the snapshot counts in, as {@code route + '\n' +
     *     upstream}
     * @param live collects the labels of the split routes built, for {@link #retainOnly}
     */
    RouteAction build(RouteAction template, SplitConfig config, Map<String, Pool> pools, StatsRegistry stats,
            List<String> listenerNames, Set<String> series, Set<String> live) {
        String label = template.label();
        List<SplitConfig.Side> configured = config.sides();
        int n = configured.size();
        int[] shares = new int[n];
        long[] seeds = new long[n];
        boolean[] down = new boolean[n];
        int upShare = 0;
        int upSides = 0;
        for (int i = 0; i < n; i++) {
            SplitConfig.Side s = configured.get(i);
            Pool pool = pools.get(s.upstream());
            down[i] = pool.panic() || pool.candidates().isEmpty();
            seeds[i] = AffinityHash.hash64(s.upstream());
            if (!down[i]) {
                shares[i] = s.weight();
                upShare += s.weight();
                upSides++;
            }
        }
        for (int i = 0; i < n; i++) {
            if (upSides == 0) {
                shares[i] = configured.get(i).weight(); // all down: as configured, when_all_down decides
            } else if (upShare == 0 && !down[i]) {
                shares[i] = 1; // the sides still up all had weight 0: serving beats failing, in equal shares
            }
        }
        AtomicLong position = positions.computeIfAbsent(label, k -> new AtomicLong());
        live.add(label);
        SplitChoice choice = new SplitChoice(shares, seeds, position);
        List<RouteSplit.Side> sides = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            SplitConfig.Side s = configured.get(i);
            series.add(label + '\n' + s.upstream());
            RouteSeries sideSeries = stats.series(label, s.upstream(), listenerNames);
            RouteAction action = template.forSide(pools.get(s.upstream()), sideSeries);
            sides.add(new RouteSplit.Side(s.upstream(), s.weight(), shares[i], action, down[i]));
        }
        RouteSplit split = new RouteSplit(sides, choice, affinityKey(config.sticky()), random);
        return template.asSplit(split, stats.series(label, "", listenerNames));
    }

    /** Forgets the turn counters of split routes that are gone. */
    void retainOnly(Set<String> live) {
        positions.keySet().retainAll(live);
    }

    private static AffinityKey affinityKey(HashKeyConfig key) {
        if (key == null) {
            return null;
        }
        return switch (key.source()) {
            case CLIENT_IP -> AffinityKey.CLIENT_IP;
            case HEADER -> new AffinityKey(AffinityKey.Source.HEADER, key.name());
            case COOKIE -> new AffinityKey(AffinityKey.Source.COOKIE, key.name());
        };
    }
}
