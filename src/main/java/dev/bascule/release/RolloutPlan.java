package dev.bascule.release;

import java.util.List;

/**
 * What a rollout was asked to do: move a route's traffic to {@code to} through {@code steps} (shares in percent,
 * increasing, the last usually 100), each held for at least {@code stepIntervalMillis}, under {@code guard}.
 *
 * <p>Immutable.
 */
public record RolloutPlan(String to, List<Integer> steps, long stepIntervalMillis, Guard guard) {

    /**
     * When a step fails: {@code maxErrorRate} is absolute (the fraction of the {@code to} side's requests in the
     * step answered 5xx); {@code maxP99Ratio} relative (the {@code to} side's p99 over the other sides' in the
     * same step). Neither is judged before the {@code to} side has {@code minRequests} requests in the step, and a
     * step does not end before it has them.
     */
    public record Guard(double maxErrorRate, double maxP99Ratio, long minRequests) {
        public Guard {
            if (!(maxErrorRate >= 0 && maxErrorRate <= 1)) {
                throw new IllegalArgumentException("max_error_rate must be within 0..1, found " + maxErrorRate);
            }
            if (!(maxP99Ratio >= 1)) {
                throw new IllegalArgumentException("max_p99_ratio must be at least 1, found " + maxP99Ratio);
            }
            if (minRequests < 1) {
                throw new IllegalArgumentException("min_requests must be at least 1, found " + minRequests);
            }
        }
    }

    public RolloutPlan {
        steps = List.copyOf(steps);
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("a rollout needs at least one step");
        }
        int previous = 0;
        for (int s : steps) {
            if (s <= previous || s > Splits.TOTAL) {
                throw new IllegalArgumentException("steps must rise, each within 1..100: " + steps);
            }
            previous = s;
        }
        if (stepIntervalMillis < 1) {
            throw new IllegalArgumentException("step_interval must be positive");
        }
    }
}
