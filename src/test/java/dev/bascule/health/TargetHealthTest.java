package dev.bascule.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.config.HealthCheckConfig;
import dev.bascule.health.TargetHealth.Report;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TargetHealthTest {
    private static final HealthCheckConfig CHECK =
            new HealthCheckConfig("/health", Duration.ofSeconds(1), Duration.ofSeconds(1), 200, 399, 2, 3, null);
    private static final ProbeResult FAIL = ProbeResult.fail("status 500");
    private static final ProbeResult PASS = ProbeResult.pass();

    @Test
    void goesDownOnTheNthFailureInARowAndBackOnTheMthPass() {
        TargetHealth h = new TargetHealth(false);
        assertThat(h.up()).isTrue();
        assertThat(h.record(FAIL, CHECK)).isEqualTo(Report.NONE);
        assertThat(h.record(FAIL, CHECK)).isEqualTo(Report.NONE);
        assertThat(h.record(FAIL, CHECK)).isEqualTo(Report.DOWN);
        assertThat(h.record(FAIL, CHECK)).as("reported once").isEqualTo(Report.NONE);
        assertThat(h.record(PASS, CHECK)).isEqualTo(Report.NONE);
        assertThat(h.record(PASS, CHECK)).isEqualTo(Report.UP);
        assertThat(h.record(PASS, CHECK)).isEqualTo(Report.NONE);
        assertThat(h.up()).isTrue();
    }

    @Test
    void aPassBreaksARunOfFailuresAndAFailureARunOfPasses() {
        TargetHealth h = new TargetHealth(false);
        h.record(FAIL, CHECK);
        h.record(FAIL, CHECK);
        h.record(PASS, CHECK);
        assertThat(h.record(FAIL, CHECK)).isEqualTo(Report.NONE);
        assertThat(h.record(FAIL, CHECK)).isEqualTo(Report.NONE);
        assertThat(h.record(FAIL, CHECK)).isEqualTo(Report.DOWN);
        h.record(PASS, CHECK);
        h.record(FAIL, CHECK);
        assertThat(h.record(PASS, CHECK)).isEqualTo(Report.NONE);
        assertThat(h.record(PASS, CHECK)).isEqualTo(Report.UP);
    }

    @Test
    void aFreshServerComesUpOnItsFirstPassAndItsFailuresAreNotReported() {
        TargetHealth h = new TargetHealth(true);
        assertThat(h.up()).isFalse();
        for (int i = 0; i < 5; i++) {
            assertThat(h.record(FAIL, CHECK)).isEqualTo(Report.NONE);
        }
        assertThat(h.record(PASS, CHECK)).isEqualTo(Report.UP);
        assertThat(h.awaitingFirstPass()).isFalse();
        assertThat(h.record(FAIL, CHECK)).isEqualTo(Report.NONE);
        assertThat(h.record(FAIL, CHECK)).isEqualTo(Report.NONE);
        assertThat(h.record(FAIL, CHECK)).isEqualTo(Report.DOWN);
    }

    @Test
    void thresholdsAreReadAtEachProbeSoAReloadAppliesToTheCurrentRun() {
        TargetHealth h = new TargetHealth(false);
        h.record(FAIL, CHECK);
        HealthCheckConfig stricter =
                new HealthCheckConfig("/health", Duration.ofSeconds(1), Duration.ofSeconds(1), 200, 399, 1, 2, null);
        assertThat(h.record(FAIL, stricter)).isEqualTo(Report.DOWN);
        assertThat(h.record(PASS, stricter)).isEqualTo(Report.UP);
    }

    @Test
    void thresholdsBelowOneCountAsOne() {
        HealthCheckConfig zero =
                new HealthCheckConfig("/health", Duration.ofSeconds(1), Duration.ofSeconds(1), 200, 399, 0, 0, null);
        TargetHealth h = new TargetHealth(false);
        assertThat(h.record(FAIL, zero)).isEqualTo(Report.DOWN);
        assertThat(h.record(PASS, zero)).isEqualTo(Report.UP);
    }
}
