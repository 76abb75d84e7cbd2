package dev.bascule.health;

import static dev.bascule.health.HealthFixture.check;
import static dev.bascule.health.HealthFixture.withCheck;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.TestOrigin;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A server added at runtime waits for its first passing probe, then comes up at once. */
@ExtendWith(LeakGuard.class)
class FreshTargetTest {
    private TestOrigin a;
    private TestOrigin b;
    private HealthFixture f;

    @BeforeEach
    void start() throws Exception {
        a = TestOrigin.start("a");
        b = TestOrigin.start("b");
        // Interval 1h: the only timed probe of a target is the one made when it appears.
        f = HealthFixture.start(HealthFixture.yaml("path: /health, interval: 1h, timeout: 5s", a.address()));
    }

    @AfterEach
    void stop() {
        f.close();
        a.close();
        b.close();
    }

    @Test
    void upAfterItsFirstPassNotBefore() throws Exception {
        f.control.addServer(HealthFixture.UPSTREAM, b.address(), 1).get(5, TimeUnit.SECONDS);
        ProbeTarget fresh = f.target(b.address());
        assertThat(fresh.fresh()).isTrue();
        assertThat(f.state(b.address())).isEqualTo("unhealthy");
        assertThat(f.candidates()).containsExactly(a.address());

        // Failures of a fresh server change nothing, however many.
        ProbeTarget failing = withCheck(fresh, check("/status?code=503", Duration.ofSeconds(5), 2, 3));
        for (int i = 0; i < 4; i++) {
            assertThat(f.checker.checkNow(failing).get(10, TimeUnit.SECONDS).passed()).isFalse();
        }
        assertThat(f.state(b.address())).isEqualTo("unhealthy");
        assertThat(f.candidates()).containsExactly(a.address());

        // One pass is enough though healthyThreshold is 2.
        assertThat(f.checker.checkNow(fresh).get(10, TimeUnit.SECONDS).passed()).isTrue();
        assertThat(f.state(b.address())).isEqualTo("healthy");
        assertThat(f.candidates()).containsExactlyInAnyOrder(a.address(), b.address());
        assertThat(f.target(b.address()).fresh()).as("the control plane no longer waits for it").isFalse();
    }

    @Test
    void probedAsSoonAsItIsAdded() throws Exception {
        f.checker.start();
        f.control.addServer(HealthFixture.UPSTREAM, b.address(), 1).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> f.state(b.address()).equals("healthy"));
        assertThat(f.candidates()).containsExactlyInAnyOrder(a.address(), b.address());
        assertThat(b.requests()).isEqualTo(1);
    }
}
