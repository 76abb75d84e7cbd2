package dev.bascule.release;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where a rollout stands: its plan, the split it started from, its phase, the step it is on and the share that
 * gives {@code to}, when things happened, and the figures it last judged. Every change makes a new value: {@link
 * #judge} (the figures of the step so far and the time), {@link #pause}, {@link #resume}, {@link #abort}, {@link
 * #promote}. The split the route should have is {@link #split()}.
 *
 * <p>Times are wall-clock milliseconds, so a rollout read back after a restart resumes at its step.
 *
 * <p>Immutable.
 *
 * @param before the route's split when the rollout started; {@link #abort} goes back to it
 * @param share {@code to}'s share now, in percent
 * @param stepStartedAtMillis when the current step started; while paused, how long it had run is in {@code
 *     pausedElapsedMillis}
 * @param endedAtMillis when it ended; 0 while running or paused
 * @param reason why it ended ({@code done}, {@code promoted}, {@code aborted}, or what the guard saw); null before
 * @param to the figures of the {@code to} side in the current step, as last judged
 * @param others the figures of the other sides in the current step, as last judged
 */
public record RolloutState(
        String route,
        RolloutPlan plan,
        Map<String, Integer> before,
        Phase phase,
        int step,
        int share,
        long startedAtMillis,
        long stepStartedAtMillis,
        long pausedElapsedMillis,
        long endedAtMillis,
        String reason,
        StepFigures to,
        StepFigures others) {

    /**
     * Whether {@code other} is this rollout but for the step's figures so far: the same phase, step, share and
     * times. The figures change at every judgement; the decisions only when a step moves on or the rollout ends.
     */
    public boolean sameDecisions(RolloutState other) {
        return route.equals(other.route) && plan.equals(other.plan) && before.equals(other.before)
                && phase == other.phase && step == other.step && share == other.share
                && startedAtMillis == other.startedAtMillis && stepStartedAtMillis == other.stepStartedAtMillis
                && pausedElapsedMillis == other.pausedElapsedMillis && endedAtMillis == other.endedAtMillis
                && java.util.Objects.equals(reason, other.reason);
    }

    /** The phases, named as the admin API and {@code bascule_rollouts_total} name them. */
    public enum Phase {
        RUNNING, PAUSED, DONE, ROLLED_BACK, ABORTED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public boolean over() {
            return this == DONE || this == ROLLED_BACK || this == ABORTED;
        }
    }

    public RolloutState {
        before = Collections.unmodifiableMap(new LinkedHashMap<>(before)); // in the split's order, for reports
    }

    /**
     * A rollout starting now on {@code route}, whose split is {@code before}: {@code to} gets the first step's
     * share at once.
     */
    public static RolloutState start(String route, RolloutPlan plan, Map<String, Integer> before, long nowMillis) {
        if (!before.containsKey(plan.to())) {
            throw new IllegalArgumentException("route " + route + " has no upstream " + plan.to() + " in its split");
        }
        return new RolloutState(route, plan, before, Phase.RUNNING, 0, plan.steps().get(0), nowMillis,
                nowMillis, 0, 0, null, StepFigures.NONE, StepFigures.NONE);
    }

    /**
     * The split the route should have now: {@code to} at its share, the others dividing the rest as they did
     * before; after an abort, the split from before.
     *
     * @param order the route's upstreams in config order, which the returned map keeps
     */
    public Map<String, Integer> split(Iterable<String> order) {
        LinkedHashMap<String, Integer> from = new LinkedHashMap<>();
        for (String name : order) {
            from.put(name, before.getOrDefault(name, 0));
        }
        if (phase == Phase.ABORTED) {
            return Collections.unmodifiableMap(from);
        }
        return Splits.withShare(from, plan.to(), share);
    }

    /**
     * Judges the step so far: a breach of the guard rolls back at once (once {@code to} has the guard's minimum
     * of requests in the step); a step that has run its interval with that minimum moves on, the last one ends
     * the rollout. Paused, the guard still judges but the step does not move.
     *
     * @param toFigures what the {@code to} side did since the step started
     * @param otherFigures what the other sides did since the step started, together
     */
    public RolloutState judge(StepFigures toFigures, StepFigures otherFigures, long nowMillis) {
        if (phase.over()) {
            return this;
        }
        RolloutPlan.Guard guard = plan.guard();
        RolloutState judged = with(phase, step, share, stepStartedAtMillis, pausedElapsedMillis, 0, null, toFigures,
                otherFigures);
        if (toFigures.requests() >= guard.minRequests()) {
            String breach = breach(toFigures, otherFigures, guard);
            if (breach != null) {
                return judged.with(Phase.ROLLED_BACK, step, 0, stepStartedAtMillis, 0, nowMillis, breach, toFigures,
                        otherFigures);
            }
        }
        if (phase == Phase.PAUSED || nowMillis - stepStartedAtMillis < plan.stepIntervalMillis()
                || toFigures.requests() < guard.minRequests()) {
            return judged; // a step without enough requests on the to side is extended until it has them
        }
        if (step + 1 == plan.steps().size()) {
            return judged.with(Phase.DONE, step, share, stepStartedAtMillis, 0, nowMillis, "done", toFigures,
                    otherFigures);
        }
        return judged.with(Phase.RUNNING, step + 1, plan.steps().get(step + 1), nowMillis, 0, 0, null,
                StepFigures.NONE, StepFigures.NONE);
    }

    /** What the guard objects to in the step's figures; null when nothing. */
    static String breach(StepFigures to, StepFigures others, RolloutPlan.Guard guard) {
        if (to.errorRate() > guard.maxErrorRate()) {
            return String.format(Locale.ROOT, "error rate %.2f%% (%d of %d requests answered 5xx) is over the"
                    + " guard's %.2f%%", to.errorRate() * 100, to.errors(), to.requests(), guard.maxErrorRate() * 100);
        }
        double toP99 = to.p99();
        double otherP99 = others.p99();
        if (others.requests() > 0 && otherP99 > 0 && toP99 / otherP99 > guard.maxP99Ratio()) {
            return String.format(Locale.ROOT, "p99 %.1f ms is %.2f times the other side's %.1f ms, over the guard's"
                    + " %.2f", toP99 * 1000, toP99 / otherP99, otherP99 * 1000, guard.maxP99Ratio());
        }
        return null;
    }

    public RolloutState pause(long nowMillis) {
        requireLive("pause");
        if (phase == Phase.PAUSED) {
            return this;
        }
        return with(Phase.PAUSED, step, share, stepStartedAtMillis, nowMillis - stepStartedAtMillis, 0, null, to,
                others);
    }

    public RolloutState resume(long nowMillis) {
        requireLive("resume");
        if (phase == Phase.RUNNING) {
            return this;
        }
        return with(Phase.RUNNING, step, share, nowMillis - pausedElapsedMillis, 0, 0, null, to, others);
    }

    /** Ends the rollout and puts the split back as it was before it. */
    public RolloutState abort(long nowMillis) {
        requireLive("abort");
        return with(Phase.ABORTED, step, share, stepStartedAtMillis, 0, nowMillis, "aborted", to, others);
    }

    /** Ends the rollout with {@code to} at 100%. */
    public RolloutState promote(long nowMillis) {
        requireLive("promote");
        return with(Phase.DONE, step, Splits.TOTAL, stepStartedAtMillis, 0, nowMillis, "promoted", to, others);
    }

    private void requireLive(String what) {
        if (phase.over()) {
            throw new IllegalStateException("cannot " + what + " a rollout that is " + phase.label());
        }
    }

    private RolloutState with(Phase p, int stepIndex, int toShare, long stepStarted, long pausedElapsed, long ended,
            String why, StepFigures toFigures, StepFigures otherFigures) {
        return new RolloutState(route, plan, before, p, stepIndex, toShare, startedAtMillis, stepStarted,
                pausedElapsed, ended, why, toFigures, otherFigures);
    }
}
