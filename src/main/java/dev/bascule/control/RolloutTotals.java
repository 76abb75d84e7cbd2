package dev.bascule.control;

import dev.bascule.release.StepFigures;

/**
 * The running totals of a rollout's route on one instance: its {@code to} side, and its other sides together.
 * A step's figures are these less the totals when the step started; a fleet's are the sum over its instances.
 *
 * <p>Immutable.
 */
public record RolloutTotals(StepFigures to, StepFigures others) {
    public static final RolloutTotals NONE = new RolloutTotals(StepFigures.NONE, StepFigures.NONE);

    RolloutTotals minus(RolloutTotals earlier) {
        return new RolloutTotals(to.minus(earlier.to), others.minus(earlier.others));
    }

    RolloutTotals plus(RolloutTotals more) {
        return new RolloutTotals(to.plus(more.to), others.plus(more.others));
    }
}
