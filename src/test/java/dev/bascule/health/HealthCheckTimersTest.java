package dev.bascule.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.TestOrigin;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** End to end with real timers: a server that dies leaves the pool, and comes back when it restarts. */
@ExtendWith(LeakGuard.class)
class HealthCheckTimersTest {
    private TestOrigin a;
    private TestOrigin b;
    private HealthFixture f;

    @BeforeEach
    void start() throws Exception {
        a = TestOrigin.start("a");
        b = TestOrigin.start("b");
        f = HealthFixture.start(HealthFixture.yaml("path: /health, interval: 100ms, timeout: 2s", a.address(),
                b.address()));
        f.checker.start();
    }

    @AfterEach
    void stop() {
        f.close();
        a.close();
        b.close();
    }

    @Test
    void aKilledServerGoesDownAndComesBackWhenRestarted() throws Exception {
        String address = a.address();
        int port = a.port();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> a.requests() >= 2 && f.state(address).equals("healthy"));

        a.close();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> f.state(address).equals("unhealthy") && !f.candidates().contains(address));
        assertThat(f.candidates()).containsExactly(b.address());
        assertThat(f.state(b.address())).isEqualTo("healthy");

        a = TestOrigin.startOn("a", port);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> f.state(address).equals("healthy") && f.candidates().contains(address));
        assertThat(a.requests()).as("two passes in a row bring it back").isGreaterThanOrEqualTo(2);
    }
}
