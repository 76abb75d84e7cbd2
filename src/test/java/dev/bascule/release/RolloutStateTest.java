package dev.bascule.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bascule.release.RolloutState.Phase;
import dev.bascule.stats.LatencyHistogram;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rollout's decisions, step by step, on figures made by hand. */
class RolloutStateTest {
    private static final List<String> ORDER = List.of("blue", "green");
    private static final RolloutPlan PLAN = new RolloutPlan("green", List.of(5, 25, 50, 100), 30_000,
            new RolloutPlan.Guard(0.01, 1.5, 100));

    private static Map<String, Integer> blueOnly() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("blue", 100);
        m.put("green", 0);
        return m;
    }

    /** {@code n} requests, {@code errors} of them 5xx, all taking {@code millis}. */
    private static StepFigures figures(long n, long errors, double millis) {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < n; i++) {
            h.record((long) (millis * 1_000_000));
        }
        long[] b = new long[LatencyHistogram.bucketCount()];
        h.copyBuckets(b);
        return new StepFigures(n, errors, b);
    }

    private static final StepFigures HEALTHY_GREEN = figures(200, 1, 5);
    private static final StepFigures BLUE = figures(2000, 2, 5);

    @Test
    void aHealthyRolloutMovesStepByStepToTheEnd() {
        RolloutState r = RolloutState.start("app", PLAN, blueOnly(), 1_000);
        assertThat(r.split(ORDER)).containsExactly(Map.entry("blue", 95), Map.entry("green", 5));

        r = r.judge(HEALTHY_GREEN, BLUE, 20_000);
        assertThat(r.step()).as("the interval has not passed").isZero();
        r = r.judge(HEALTHY_GREEN, BLUE, 31_000);
        assertThat(r.step()).isEqualTo(1);
        assertThat(r.split(ORDER)).containsExactly(Map.entry("blue", 75), Map.entry("green", 25));
        assertThat(r.stepStartedAtMillis()).isEqualTo(31_000);
        r = r.judge(HEALTHY_GREEN, BLUE, 61_000).judge(HEALTHY_GREEN, BLUE, 91_000);
        assertThat(r.share()).isEqualTo(100);
        assertThat(r.phase()).isEqualTo(Phase.RUNNING);
        r = r.judge(HEALTHY_GREEN, StepFigures.NONE, 121_000);
        assertThat(r.phase()).isEqualTo(Phase.DONE);
        assertThat(r.reason()).isEqualTo("done");
        assertThat(r.endedAtMillis()).isEqualTo(121_000);
        assertThat(r.split(ORDER)).containsExactly(Map.entry("blue", 0), Map.entry("green", 100));
        assertThat(r.judge(figures(200, 200, 5), BLUE, 200_000)).as("over: nothing changes it").isSameAs(r);
    }

    @Test
    void tooManyErrorsRollBackAtOnceEvenMidStep() {
        RolloutState r = RolloutState.start("app", PLAN, blueOnly(), 0).judge(HEALTHY_GREEN, BLUE, 31_000);

        r = r.judge(figures(100, 20, 5), BLUE, 32_000);

        assertThat(r.phase()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(r.reason()).contains("error rate 20.00%", "20 of 100", "1.00%");
        assertThat(r.split(ORDER)).containsExactly(Map.entry("blue", 100), Map.entry("green", 0));
        assertThat(r.endedAtMillis()).isEqualTo(32_000);
    }

    @Test
    void aSlowToSideRollsBack() {
        RolloutState r = RolloutState.start("app", PLAN, blueOnly(), 0);

        r = r.judge(figures(150, 0, 40), figures(3000, 0, 5), 10_000);

        assertThat(r.phase()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(r.reason()).contains("p99", "times the other side's", "1.50");
    }

    @Test
    void nothingIsJudgedBeforeTheMinimumOfRequests() {
        RolloutState r = RolloutState.start("app", PLAN, blueOnly(), 0);

        r = r.judge(figures(99, 99, 900), BLUE, 10_000);
        assertThat(r.phase()).isEqualTo(Phase.RUNNING);

        r = r.judge(figures(99, 0, 5), BLUE, 60_000);
        assertThat(r.step()).as("a step short of requests is extended").isZero();
        r = r.judge(figures(100, 0, 5), BLUE, 61_000);
        assertThat(r.step()).isEqualTo(1);
    }

    @Test
    void pausedTheStepWaitsButTheGuardStillWatches() {
        RolloutState r = RolloutState.start("app", PLAN, blueOnly(), 0).pause(10_000);
        assertThat(r.phase()).isEqualTo(Phase.PAUSED);

        r = r.judge(HEALTHY_GREEN, BLUE, 500_000);
        assertThat(r.step()).isZero();
        r = r.resume(500_000);
        assertThat(r.stepStartedAtMillis()).as("the 10 s it had run count").isEqualTo(490_000);
        r = r.judge(HEALTHY_GREEN, BLUE, 519_000);
        assertThat(r.step()).isZero();
        r = r.judge(HEALTHY_GREEN, BLUE, 520_000);
        assertThat(r.step()).isEqualTo(1);

        RolloutState paused = r.pause(521_000).judge(figures(100, 50, 5), BLUE, 522_000);
        assertThat(paused.phase()).isEqualTo(Phase.ROLLED_BACK);
    }

    @Test
    void abortGoesBackToTheSplitFromBeforeAndPromoteToAll() {
        Map<String, Integer> before = new LinkedHashMap<>();
        before.put("blue", 80);
        before.put("green", 20);
        RolloutState r = RolloutState.start("app", PLAN, before, 0).judge(HEALTHY_GREEN, BLUE, 31_000);
        assertThat(r.split(ORDER)).containsExactly(Map.entry("blue", 75), Map.entry("green", 25));

        RolloutState aborted = r.abort(40_000);
        assertThat(aborted.phase()).isEqualTo(Phase.ABORTED);
        assertThat(aborted.split(ORDER)).containsExactly(Map.entry("blue", 80), Map.entry("green", 20));

        RolloutState promoted = r.promote(40_000);
        assertThat(promoted.phase()).isEqualTo(Phase.DONE);
        assertThat(promoted.reason()).isEqualTo("promoted");
        assertThat(promoted.split(ORDER)).containsExactly(Map.entry("blue", 0), Map.entry("green", 100));

        assertThatThrownBy(() -> aborted.resume(50_000)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("aborted");
    }

    @Test
    void plansAreChecked() {
        RolloutPlan.Guard guard = new RolloutPlan.Guard(0.01, 1.5, 100);
        assertThatThrownBy(() -> new RolloutPlan("g", List.of(50, 25), 1000, guard))
                .hasMessageContaining("rise");
        assertThatThrownBy(() -> new RolloutPlan("g", List.of(), 1000, guard)).hasMessageContaining("step");
        assertThatThrownBy(() -> new RolloutPlan.Guard(2, 1.5, 1)).hasMessageContaining("max_error_rate");
        assertThatThrownBy(() -> new RolloutPlan.Guard(0.1, 0.5, 1)).hasMessageContaining("max_p99_ratio");
        assertThatThrownBy(() -> RolloutState.start("app", new RolloutPlan("red", List.of(10), 1000, guard),
                blueOnly(), 0)).hasMessageContaining("red");
    }

    @Test
    void figuresSubtractAndAdd() {
        StepFigures a = figures(10, 1, 5);
        StepFigures b = figures(30, 4, 5);

        assertThat(b.minus(a)).isEqualTo(figures(20, 3, 5));
        assertThat(a.plus(figures(20, 3, 5))).isEqualTo(b);
        assertThat(StepFigures.NONE.errorRate()).isZero();
        assertThat(StepFigures.NONE.p99()).isNaN();
    }
}
