package dev.bascule.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.health.ActiveHealthChecker.Watch;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.TestOrigin;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The checker follows the control plane's targets: new ones probed at once, gone ones dropped, kept ones kept. */
@ExtendWith(LeakGuard.class)
class TargetLifecycleTest {
    private TestOrigin a;
    private TestOrigin b;
    private HealthFixture f;

    @BeforeEach
    void start() throws Exception {
        a = TestOrigin.start("a");
        b = TestOrigin.start("b");
        // Interval 1h: the only timed probe of a target is the one made when it appears.
        f = HealthFixture.start(yaml("1h"));
    }

    private String yaml(String interval) {
        return HealthFixture.yaml("path: \"/status?code=500\", interval: " + interval + ", timeout: 5s", a.address(),
                b.address());
    }

    @AfterEach
    void stop() {
        f.close();
        a.close();
        b.close();
    }

    private Map<String, Watch> watching() throws Exception {
        return f.checker.watching().get(5, TimeUnit.SECONDS);
    }

    private Watch watch(TestOrigin o) throws Exception {
        return watching().get(HealthFixture.UPSTREAM + "/" + o.address());
    }

    /** Waits for the probe every target gets when it appears. */
    private void awaitFirstProbes() {
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> {
            Map<String, Watch> w = watching();
            return w.size() == 2 && w.values().stream().allMatch(x -> x.failuresInARow() == 1);
        });
    }

    @Test
    void probesEveryTargetAtStartAndDropsTheOnesThatLeave() throws Exception {
        f.checker.start();
        awaitFirstProbes();
        assertThat(a.requests()).isEqualTo(1);
        assertThat(b.requests()).isEqualTo(1);
        assertThat(watch(a).timed()).isTrue();

        f.control.removeServer(HealthFixture.UPSTREAM, b.address()).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> watching().keySet().stream().noneMatch(k -> k.endsWith(b.address())));
        assertThat(watching()).containsOnlyKeys(HealthFixture.UPSTREAM + "/" + a.address());
    }

    @Test
    void aReloadKeepsTheCountsOfTargetsThatStayAndAppliesTheNewSettings() throws Exception {
        f.checker.start();
        awaitFirstProbes();
        f.checker.checkNow(f.target(a.address())).get(10, TimeUnit.SECONDS);
        assertThat(watch(a).failuresInARow()).isEqualTo(2);

        // Another interval: the targets change, so the checker refreshes them (queued before the next round).
        f.control.reload(HealthFixture.parse(yaml("2h"))).get(5, TimeUnit.SECONDS);
        assertThat(f.target(a.address()).check().interval()).isEqualTo(Duration.ofHours(2));
        assertThat(watch(a).failuresInARow()).isEqualTo(2);
        assertThat(a.requests()).as("a target that stays is not probed again at once").isEqualTo(2);
        assertThat(f.state(a.address())).isEqualTo("healthy");

        f.checker.checkNow(f.target(a.address())).get(10, TimeUnit.SECONDS);
        assertThat(f.state(a.address())).as("third failure in a row, across the reload").isEqualTo("unhealthy");
    }

    @Test
    void aNewIntervalReplacesTheWaitInProgressAndANewPathIsUsedByTheNextProbe() throws Exception {
        f.checker.start();
        awaitFirstProbes();
        // Both first probes failed on /status?code=500; the next would be an hour away.
        f.control.reload(HealthFixture.parse(HealthFixture.yaml("path: /health, interval: 100ms, timeout: 5s",
                a.address(), b.address()))).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> watching().values().stream().allMatch(w -> w.passesInARow() >= 2));
        assertThat(a.recorded().get(0).uri()).isEqualTo("/status?code=500");
        assertThat(a.recorded().get(1).uri()).isEqualTo("/health");
        assertThat(f.state(a.address())).isEqualTo("healthy");
    }

    @Test
    void afterCloseNothingIsProbed() throws Exception {
        f.checker.start();
        awaitFirstProbes();
        f.checker.close();
        assertThat(f.checker.probeOnce(f.target(a.address()))).failsWithin(Duration.ofSeconds(5));
        assertThat(f.checker.watching()).failsWithin(Duration.ofSeconds(5));
        assertThat(a.requests()).isEqualTo(1);
    }
}
