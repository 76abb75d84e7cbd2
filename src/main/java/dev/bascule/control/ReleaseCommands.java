package dev.bascule.control;

import dev.bascule.config.BasculeConfig;
import dev.bascule.config.SplitConfig;
import dev.bascule.release.RolloutPlan;
import dev.bascule.stats.RolloutCounts;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's part that answers the admin API on routes: reports them with the split in force, sets a
 * named split route's weights, and starts and steers rollouts ({@link Rollouts}, which it ticks). Every split it
 * puts in force goes one way: recorded in the runtime changes with the file's weights it overrides, kept in the
 * state store, published.
 *
 * <p>Threading: control thread only; {@link ControlPlane} hands each command here on that thread.
 */
final class ReleaseCommands {
    private static final Logger log = LoggerFactory.getLogger(ReleaseCommands.class);

    private final Supplier<BasculeConfig> file;
    private final RuntimeChanges changes;
    private final StateKeeper keeper;
    private final LiveSnapshot live;
    private final Runnable publish;
    private final Rollouts rollouts;

    /**
     * @param file the config file in force (without the runtime changes)
     * @param publish builds and publishes a snapshot from the config in force and the runtime changes
     */
    ReleaseCommands(Supplier<BasculeConfig> file, RuntimeChanges changes, StateKeeper keeper, LiveSnapshot live,
            Runnable publish, Clock clock, RolloutCounts counts, Rollouts.FigureSource figures) {
        this.file = file;
        this.changes = changes;
        this.keeper = keeper;
        this.live = live;
        this.publish = publish;
        this.rollouts = new Rollouts(clock, changes, this::applySplit, () -> keeper.save(changes.state()), counts,
                figures);
    }

    /**
     * Ends the rollouts that {@code next} makes impossible, or whose split it changed ({@link Rollouts#followFile}).
     *
     * @param why what brought the config, for the log
     * @return whether the runtime changes changed (then the caller saves them)
     */
    boolean followFile(BasculeConfig next, String why) {
        return rollouts.followFile(next, why);
    }

    /** Every route of the config in force, with the split weights in force. */
    List<RouteStatus> routes() {
        return RouteReport.of(file.get(), changes, live.get());
    }

    /** See {@link ControlPlane#setSplit}. */
    RouteStatus setSplit(String route, Map<String, Integer> weights) {
        BasculeConfig config = file.get();
        Map<String, Integer> fileWeights = splitRoute(config, route);
        Map<String, Integer> next = SplitCommand.weights(route, weights, fileWeights, config.upstreams().keySet());
        rollouts.refuseSplitWhileLive(route);
        applySplit(route, next, fileWeights, "the admin API");
        return route(route);
    }

    /**
     * Puts checked weights in force: recorded with the file's weights they override, kept in the state file, and
     * published at once. This is also where a rollout moves a split at each step, and rolls it back.
     *
     * @param by who set them, for the log line
     */
    private void applySplit(String route, Map<String, Integer> next, Map<String, Integer> fileWeights, String by) {
        changes.splitSet(route, next, fileWeights);
        keeper.save(changes.state());
        log.info("route {} split set through {}: {} (file: {})", route, by, SplitConfig.describe(next),
                SplitConfig.describe(fileWeights));
        publish.run();
    }

    /** See {@link ControlPlane#startRollout}. */
    RouteStatus startRollout(String route, RolloutPlan plan) {
        rollouts.start(route, plan, splitRoute(file.get(), route), live.get());
        return route(route);
    }

    /** See {@link ControlPlane#rollout}. */
    RouteStatus rollout(String route, RolloutCommand command) {
        rollouts.command(route, command, splitRoute(file.get(), route), live.get());
        return route(route);
    }

    /** Another instance drives the rollouts: this one forgets its step counts. */
    void notDriving() {
        rollouts.forgetCounts();
    }

    /** This instance's running totals of every live rollout's route, by route, for a fleet's driver to add up. */
    Map<String, RolloutTotals> localTotals() {
        Map<String, RolloutTotals> out = new java.util.LinkedHashMap<>();
        for (dev.bascule.release.RolloutState r : changes.state().rollouts()) {
            if (!r.phase().over()) {
                out.put(r.route(), Rollouts.localTotals(live.get(), r.route(), r.plan().to()));
            }
        }
        return out;
    }

    /** Judges the live rollouts; every {@link Rollouts#TICK_MILLIS}. A failure is logged; the next tick retries. */
    void tick() {
        try {
            rollouts.tick(file.get(), live.get());
        } catch (RuntimeException e) {
            log.warn("rollouts not judged this time: {}", e.toString(), e);
        }
    }

    /** One route by name (or, for a route without one, by label); a {@link CommandException} 404 when none. */
    RouteStatus route(String nameOrLabel) {
        List<RouteStatus> all = routes();
        for (RouteStatus r : all) {
            if (nameOrLabel.equals(r.name())) {
                return r;
            }
        }
        for (RouteStatus r : all) {
            if (r.name() == null && nameOrLabel.equals(r.label())) {
                return r;
            }
        }
        throw new CommandException(404, "no route named '" + nameOrLabel + "'");
    }

    /** The file's weights of a named split route, or the refusal that says what it is instead. */
    private Map<String, Integer> splitRoute(BasculeConfig config, String route) {
        Map<String, Integer> weights = RuntimeChanges.fileSplit(config, route);
        if (weights != null) {
            return weights;
        }
        RouteStatus r = route(route); // 404 when there is no such route at all
        if (r.name() == null) {
            throw new CommandException(409, "route '" + route + "' has no name: give it a 'name' in the config to"
                    + " change it through the admin API");
        }
        throw new CommandException(409, "route '" + route + "' has no split: it sends to "
                + (r.upstream() != null ? "upstream '" + r.upstream() + "'" : "a redirect"));
    }
}
