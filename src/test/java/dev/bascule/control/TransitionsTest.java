package dev.bascule.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.balance.Balancers;
import dev.bascule.config.ConfigLoader;
import dev.bascule.upstream.AttemptFailure;
import dev.bascule.upstream.Server;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The log of server state changes: bounded, and written by the control plane where the changes happen (active
 * check verdicts, ejections and their end, drains, additions and removals).
 */
class TransitionsTest {
    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    @Test
    void keepsTheLastTwoHundredWithTheirTimeAndSequence() {
        Transitions t = new Transitions(Clock.fixed(NOW, ZoneOffset.UTC));
        for (int i = 1; i <= Transitions.CAPACITY + 5; i++) {
            t.record("drain", "app", "10.0.0." + i + ":80", "healthy", "draining", "test " + i);
        }
        List<Transition> list = t.list();
        assertThat(list).hasSize(Transitions.CAPACITY);
        assertThat(list.get(0).sequence()).isEqualTo(6);
        assertThat(list.get(0).reason()).isEqualTo("test 6");
        assertThat(list.get(list.size() - 1).sequence()).isEqualTo(Transitions.CAPACITY + 5);
        assertThat(list).allMatch(e -> e.at().equals(NOW));
    }

    @Test
    void theControlPlaneRecordsEveryKindOfChange() throws Exception {
        String yaml = """
                listeners: [ { address: 127.0.0.1:0 } ]
                upstreams:
                  app:
                    passive: { consecutive_failures: 2, base_ejection: 100ms, max_ejected_percent: 50 }
                    servers: [ { address: "127.0.0.1:9001" }, { address: "127.0.0.1:9002" } ]
                routes: [ { upstream: app } ]
                """;
        try (ControlPlane cp = ControlPlane.start(new ConfigLoader(Balancers.standard().names()).parse(yaml, "t.yaml"),
                Balancers.standard(), Resolver.SYSTEM, Clock.systemUTC(), System::nanoTime,
                Executors.newSingleThreadScheduledExecutor())) {
            cp.drain("app", "127.0.0.1:9001", true).get(5, TimeUnit.SECONDS);
            cp.drain("app", "127.0.0.1:9001", true).get(5, TimeUnit.SECONDS); // no change: not recorded
            cp.drain("app", "127.0.0.1:9001", false).get(5, TimeUnit.SECONDS);
            cp.reportProbe("app", "127.0.0.1:9002", false, "connection refused");
            cp.reportProbe("app", "127.0.0.1:9002", true, null);
            cp.addServer("app", "127.0.0.1:9003", 4).get(5, TimeUnit.SECONDS);
            cp.removeServer("app", "127.0.0.1:9003").get(5, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> cp.transitions().get().size() == 7); // it left

            // Passive health: two connect failures in a row on real traffic eject; the ejection runs out.
            Pool pool = cp.live().get().pools().get("app");
            Server server = pool.members().get(1);
            cp.live().get().events().attemptFailed(pool, server, AttemptFailure.CONNECT);
            cp.live().get().events().attemptFailed(pool, server, AttemptFailure.CONNECT);

            await().atMost(Duration.ofSeconds(5)).until(() -> cp.transitions().get().size() == 9);
            List<String> lines = cp.transitions().get(5, TimeUnit.SECONDS).stream()
                    .map(t -> t.kind() + " " + t.upstream() + " " + t.server() + " " + t.from() + " -> " + t.to()
                            + ": " + t.reason())
                    .toList();
            assertThat(lines).containsExactly(
                    "drain app 127.0.0.1:9001 healthy -> draining: drained through the admin API",
                    "drain app 127.0.0.1:9001 draining -> healthy: undrained through the admin API",
                    "health app 127.0.0.1:9002 healthy -> unhealthy: connection refused",
                    "health app 127.0.0.1:9002 unhealthy -> healthy: active check passed",
                    "membership app 127.0.0.1:9003 absent -> healthy: added through the admin API, weight 4",
                    "membership app 127.0.0.1:9003 healthy -> draining: removal through the admin API: it leaves"
                            + " once its last request finishes",
                    "membership app 127.0.0.1:9003 draining -> removed: its last request finished",
                    "ejection app 127.0.0.1:9002 healthy -> ejected: 2 failures in a row; out for 100 ms",
                    "ejection app 127.0.0.1:9002 ejected -> healthy: ejection time over");
            List<Transition> all = cp.transitions().get(5, TimeUnit.SECONDS);
            for (int i = 0; i < all.size(); i++) {
                assertThat(all.get(i).sequence()).isEqualTo(i + 1);
            }
            assertThat(all.get(0).at()).isBeforeOrEqualTo(all.get(all.size() - 1).at());
        }
    }
}
