package dev.bascule.health;

import static dev.bascule.health.HealthFixture.check;
import static dev.bascule.health.HealthFixture.withCheck;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.TestOrigin;
import dev.bascule.upstream.Server;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Thresholds against a real control plane, driven round by round with checkNow: no timers (the checker is not
 * started), no sleeping. Pools have two servers so that one down server is not hidden by panic mode.
 */
@ExtendWith(LeakGuard.class)
class ThresholdsTest {
    private TestOrigin a;
    private TestOrigin b;
    private HealthFixture f;
    private ProbeTarget passing;
    private ProbeTarget failing;

    @BeforeEach
    void start() throws Exception {
        a = TestOrigin.start("a");
        b = TestOrigin.start("b");
        f = HealthFixture.start(HealthFixture.yaml("path: /health, interval: 1h, timeout: 5s", a.address(),
                b.address()));
        ProbeTarget t = f.target(a.address());
        passing = withCheck(t, check("/health", Duration.ofSeconds(5), 2, 3));
        failing = withCheck(t, check("/status?code=500", Duration.ofSeconds(5), 2, 3));
    }

    @AfterEach
    void stop() {
        f.close();
        a.close();
        b.close();
    }

    private void round(ProbeTarget t) throws Exception {
        f.checker.checkNow(t).get(10, TimeUnit.SECONDS);
    }

    @Test
    void downAfterExactlyNFailuresInARowAndBackAfterMPasses() throws Exception {
        assertThat(f.state(a.address())).isEqualTo("healthy");

        round(failing);
        round(failing);
        assertThat(f.state(a.address())).isEqualTo("healthy");
        assertThat(f.candidates()).contains(a.address());

        round(failing);
        assertThat(f.state(a.address())).isEqualTo("unhealthy");
        assertThat(f.candidates()).containsExactly(b.address());
        Server server = f.control.live().get().pools().get(HealthFixture.UPSTREAM).members().stream()
                .filter(s -> s.address().equals(a.address())).findFirst().orElseThrow();
        assertThat(server.state().lastProbeProblem()).isEqualTo("status 500");

        round(passing);
        assertThat(f.state(a.address())).isEqualTo("unhealthy");
        assertThat(f.candidates()).containsExactly(b.address());

        round(passing);
        assertThat(f.state(a.address())).isEqualTo("healthy");
        assertThat(f.candidates()).contains(a.address(), b.address());
    }

    @Test
    void aPassBreaksTheRunOfFailures() throws Exception {
        round(failing);
        round(failing);
        round(passing);
        round(failing);
        round(failing);
        assertThat(f.state(a.address())).isEqualTo("healthy");
        round(failing);
        assertThat(f.state(a.address())).isEqualTo("unhealthy");
    }

    @Test
    void aFailureBreaksTheRunOfPasses() throws Exception {
        round(failing);
        round(failing);
        round(failing);
        round(passing);
        round(failing);
        round(passing);
        assertThat(f.state(a.address())).isEqualTo("unhealthy");
        round(passing);
        assertThat(f.state(a.address())).isEqualTo("healthy");
    }

    @Test
    void aRefusedConnectionCountsAsAFailure() throws Exception {
        a.close();
        round(passing);
        round(passing);
        round(passing);
        assertThat(f.state(a.address())).isEqualTo("unhealthy");
        assertThat(f.candidates()).containsExactly(b.address());
    }
}
