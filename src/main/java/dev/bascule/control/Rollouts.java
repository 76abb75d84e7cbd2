package dev.bascule.control;

import dev.bascule.config.BasculeConfig;
import dev.bascule.config.RouteConfig;
import dev.bascule.config.SplitConfig;
import dev.bascule.release.RolloutPlan;
import dev.bascule.release.RolloutState;
import dev.bascule.release.StepFigures;
import dev.bascule.route.Route;
import dev.bascule.stats.ListenerStats;
import dev.bascule.stats.RolloutCounts;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's part that runs rollouts: starts one on a named split route, judges every live one each
 * {@link #TICK_MILLIS} with the figures of its step ({@link RolloutState#judge}), moves the split when the state
 * says so (through the same path as {@code PUT /routes/{name}/split}), and takes the operator's pause, resume,
 * abort and promote. The rollouts themselves are values kept with the other runtime changes ({@link
 * RuntimeChanges}, hence in the state file); this part keeps only each live step's baseline: the running totals of
 * the {@code to} side and of the other sides together when the step started (or, after a restart, when the
 * rollout was taken up again), which the totals of the moment are judged against.
 *
 * <p>Threading: control thread only.
 */
final class Rollouts {
    private static final Logger log = LoggerFactory.getLogger(Rollouts.class);
    /** How often live rollouts are judged; a step lasts at least its interval, rounded up to ticks. */
    static final long TICK_MILLIS = 1_000;

    /** Puts a split in force (recorded, kept in the state file, published). */
    interface SplitSetter {
        void apply(String route, Map<String, Integer> weights, Map<String, Integer> fileWeights, String by);
    }

    /**
     * Where the figures come from: by instance, the running totals of a route's sides. Alone, this instance's
     * series ({@link #SELF}); in a fleet, every instance's as each published them.
     */
    interface FigureSource {
        Map<String, RolloutTotals> totals(Snapshot live, String route, String to);
    }

    /** This instance's key in a {@link FigureSource}'s map. */
    static final String SELF = "";

    /**
     * A live step's count: by instance, its totals when the step started (or when this instance first saw it in
     * the step), and as last seen. An instance that leaves keeps what it counted until it left.
     */
    private static final class StepCount {
        final Map<String, RolloutTotals> start = new HashMap<>();
        final Map<String, RolloutTotals> last = new HashMap<>();

        StepCount(Map<String, RolloutTotals> now) {
            start.putAll(now);
            last.putAll(now);
        }

        RolloutTotals figures(Map<String, RolloutTotals> now) {
            now.forEach((node, totals) -> {
                start.putIfAbsent(node, totals);
                last.put(node, totals);
            });
            RolloutTotals sum = RolloutTotals.NONE;
            for (Map.Entry<String, RolloutTotals> e : last.entrySet()) {
                sum = sum.plus(e.getValue().minus(start.get(e.getKey())));
            }
            return sum;
        }
    }

    private final Clock clock;
    private final RuntimeChanges changes;
    private final SplitSetter splits;
    private final Runnable save;
    private final RolloutCounts counts;
    /** By route: the totals the live step's figures are counted from. */
    private final Map<String, StepCount> baselines = new HashMap<>();
    private final FigureSource figures;

    /**
     * @param clock wall-clock time, which rollouts are stamped and timed with (so they resume after a restart)
     * @param save keeps the runtime changes in the state file, for a change that moves no split
     */
    Rollouts(Clock clock, RuntimeChanges changes, SplitSetter splits, Runnable save, RolloutCounts counts,
            FigureSource figures) {
        this.figures = figures;
        this.clock = clock;
        this.changes = changes;
        this.splits = splits;
        this.save = save;
        this.counts = counts;
    }

    /**
     * Starts a rollout; {@code to} gets the first step's share at once.
     *
     * @param fileWeights the file's weights of the route's split (the route has a name and a split)
     * @throws CommandException 409 when the split has no upstream {@code to}, or a rollout is running or paused on
     *     the route
     */
    RolloutState start(String route, RolloutPlan plan, Map<String, Integer> fileWeights, Snapshot live) {
        if (!fileWeights.containsKey(plan.to())) {
            throw new CommandException(409, "route '" + route + "' has no split with upstream '" + plan.to()
                    + "': its split is " + String.join(", ", fileWeights.keySet()));
        }
        RolloutState current = changes.state().rollout(route);
        if (current != null && !current.phase().over()) {
            throw new CommandException(409, "route '" + route + "' has a rollout " + current.phase().label()
                    + " already (to " + current.plan().to() + "): abort it first");
        }
        var set = changes.state().split(route);
        Map<String, Integer> before = set == null ? fileWeights : set.weights();
        RolloutState state = RolloutState.start(route, plan, before, clock.millis());
        baselines.put(route, new StepCount(figures.totals(live, route, plan.to())));
        changes.rolloutSet(state);
        log.info("route {} rollout to {} started: steps {} every {} ms, guard: error rate at most {}, p99 at most {}"
                + " times the other side's, judged from {} requests", route, plan.to(), plan.steps(),
                plan.stepIntervalMillis(), plan.guard().maxErrorRate(), plan.guard().maxP99Ratio(),
                plan.guard().minRequests());
        splits.apply(route, state.split(fileWeights.keySet()), fileWeights, describeStep(state));
        return state;
    }

    /**
     * Refuses a split set by hand while a rollout moves it: the next step would undo it, and a restart could not
     * tell it from a change of the file.
     *
     * @throws CommandException 409 while a rollout is running or paused on the route
     */
    void refuseSplitWhileLive(String route) {
        RolloutState r = changes.state().rollout(route);
        if (r != null && !r.phase().over()) {
            throw new CommandException(409, "route '" + route + "' has a rollout " + r.phase().label() + " (to "
                    + r.plan().to() + "): abort or promote it before setting its split");
        }
    }

    /**
     * Pauses, resumes, aborts (back to the split before it) or promotes (100% now) the live rollout of a route.
     *
     * @throws CommandException 409 when the route has no rollout running or paused
     */
    RolloutState command(String route, RolloutCommand command, Map<String, Integer> fileWeights, Snapshot live) {
        RolloutState current = changes.state().rollout(route);
        if (current == null || current.phase().over()) {
            throw new CommandException(409, "route '" + route + "' has no rollout running or paused"
                    + (current == null ? "" : " (its last one is " + current.phase().label() + ")"));
        }
        long now = clock.millis();
        RolloutState next = switch (command) {
            case PAUSE -> current.pause(now);
            case RESUME -> current.resume(now);
            case ABORT -> current.abort(now);
            case PROMOTE -> current.promote(now);
        };
        if (!baselines.containsKey(route)) {
            baselines.put(route, new StepCount(figures.totals(live, route, current.plan().to()))); // since a restart
        }
        log.info("route {} rollout to {}: {} through the admin API", route, current.plan().to(),
                command.label());
        moved(current, next, fileWeights, live);
        return next;
    }

    /** Forgets the step counts: another instance drives now, and this one counts afresh if it drives again. */
    void forgetCounts() {
        baselines.clear();
    }

    /** Judges every live rollout with the figures of its step so far. */
    void tick(BasculeConfig file, Snapshot live) {
        long now = clock.millis();
        for (RolloutState current : changes.state().rollouts()) {
            if (current.phase().over()) {
                continue;
            }
            String route = current.route();
            StepCount count = baselines.get(route);
            Map<String, RolloutTotals> totals = figures.totals(live, route, current.plan().to());
            if (count == null) {
                // Taken up again after a restart, or by the new driver of a fleet: the step counts from here.
                baselines.put(route, new StepCount(totals));
                continue;
            }
            RolloutTotals step = count.figures(totals);
            RolloutState next = current.judge(step.to(), step.others(), now);
            Map<String, Integer> fileWeights = RuntimeChanges.fileSplit(file, route);
            if (fileWeights == null) {
                continue; // cannot be: a reload that takes the split away ends the rollout
            }
            moved(current, next, fileWeights, live);
        }
    }

    /**
     * After a reload (and at start, with the state file's rollouts): a live rollout whose route or split is gone,
     * whose split has other upstreams now, or whose split the file changed since (the file wins), ends as
     * aborted, leaving the split to the file. A rollout that stays goes on at its step.
     *
     * @param when "reload" or "state file", for the log lines
     * @return whether a rollout ended (then the state should be saved)
     */
    boolean followFile(BasculeConfig file, String when) {
        boolean ended = false;
        long now = clock.millis();
        for (RolloutState current : changes.state().rollouts()) {
            if (current.phase().over()) {
                continue;
            }
            String why = conflict(file, current);
            if (why == null) {
                if (when.equals("state file")) {
                    log.info("route {} rollout to {} resumed {}: {}", current.route(), current.plan().to(),
                            current.phase() == RolloutState.Phase.PAUSED ? "paused" : "running",
                            describeStep(current));
                }
                continue;
            }
            RolloutState aborted = current.abort(now);
            aborted = new RolloutState(aborted.route(), aborted.plan(), aborted.before(), aborted.phase(),
                    aborted.step(), aborted.share(), aborted.startedAtMillis(), aborted.stepStartedAtMillis(),
                    aborted.pausedElapsedMillis(), aborted.endedAtMillis(), why, aborted.to(), aborted.others());
            changes.rolloutSet(aborted);
            baselines.remove(current.route());
            counts.count(current.route(), RolloutState.Phase.ABORTED.label());
            log.warn("{}: route {} rollout to {} aborted: {}", when, current.route(), current.plan().to(), why);
            ended = true;
        }
        return ended;
    }

    /** Why a live rollout cannot go on under {@code file}; null when it can. */
    private String conflict(BasculeConfig file, RolloutState r) {
        RouteConfig rc = RuntimeChanges.named(file, r.route());
        if (rc == null) {
            return "the file has no route named '" + r.route() + "' now";
        }
        if (rc.split() == null) {
            return "the file has no split on route '" + r.route() + "' now";
        }
        Map<String, Integer> fileWeights = rc.split().weights();
        if (!fileWeights.keySet().equals(r.before().keySet())) {
            return "the route's split has other upstreams now (" + String.join(", ", fileWeights.keySet()) + ")";
        }
        var set = changes.state().split(r.route());
        Map<String, Integer> inForce = set == null ? fileWeights : set.weights();
        Map<String, Integer> expected = r.split(fileWeights.keySet());
        if (!inForce.equals(expected)) {
            return "the file changed the route's split since (" + SplitConfig.describe(inForce) + ", the rollout's"
                    + " step has " + SplitConfig.describe(expected) + "): the file's split applies";
        }
        return null;
    }

    /** Records {@code next} and does what it asks for: a new split, a new step's baseline, the end. */
    private void moved(RolloutState current, RolloutState next, Map<String, Integer> fileWeights, Snapshot live) {
        String route = next.route();
        changes.rolloutSet(next);
        boolean newStep = next.step() != current.step();
        if (next.phase().over()) {
            baselines.remove(route);
        } else if (newStep) {
            // The sides' series outlive snapshots, so the totals read now are those the new split starts from.
            baselines.put(route, new StepCount(figures.totals(live, route, next.plan().to())));
        }
        Map<String, Integer> before = current.split(fileWeights.keySet());
        Map<String, Integer> after = next.split(fileWeights.keySet());
        if (!after.equals(before)) {
            splits.apply(route, after, fileWeights, next.phase().over() ? "rollout " + next.phase().label()
                    : "rollout to " + next.plan().to() + ", " + describeStep(next));
        } else if (next.phase() != current.phase() || newStep) {
            save.run();
        }
        if (next.phase().over()) {
            ended(next);
        }
    }

    private void ended(RolloutState r) {
        String result = r.phase().label();
        counts.count(r.route(), result);
        if (r.phase() == RolloutState.Phase.ROLLED_BACK) {
            log.warn("route {} rollout to {} rolled back at step {} of {} ({}%): {}", r.route(), r.plan().to(),
                    r.step() + 1, r.plan().steps().size(), r.plan().steps().get(r.step()), r.reason());
        } else {
            log.info("route {} rollout to {} {}: {}", r.route(), r.plan().to(), result, r.reason());
        }
    }

    /** "step 2 of 4: web-green 25%". */
    static String describeStep(RolloutState r) {
        return "step " + (r.step() + 1) + " of " + r.plan().steps().size() + ": " + r.plan().to() + " " + r.share()
                + "%";
    }

    /** The running totals of the route's {@code to} side and of its other sides together, in {@code live}. */
    static RolloutTotals localTotals(Snapshot live, String route, String to) {
        List<ListenerStats> listeners = new ArrayList<>();
        for (ListenerSettings l : live.listeners().values()) {
            listeners.add(l.stats());
        }
        StepFigures toTotals = StepFigures.NONE;
        StepFigures others = StepFigures.NONE;
        for (Route<RouteAction> r : live.routes().routes()) {
            RouteSplit split = r.target().split();
            if (split == null || !route.equals(r.target().label())) {
                continue;
            }
            for (RouteSplit.Side side : split.sides()) {
                StepFigures f = StepFigures.totals(side.action().series(), listeners);
                if (side.upstream().equals(to)) {
                    toTotals = f;
                } else {
                    others = others.plus(f);
                }
            }
            break; // one route table entry per route is enough: they share their series
        }
        return new RolloutTotals(toTotals, others);
    }
}
