package dev.bascule.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.balance.Balancers;
import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ConfigLoader;
import dev.bascule.upstream.Server;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The parts working together on a real control thread: DNS, slow start, start-up errors. */
class ControlPlaneTest {

    private static BasculeConfig config(String upstreamExtra) throws Exception {
        return new ConfigLoader(Balancers.standard().names()).parse("""
                listeners: [ { address: 127.0.0.1:0 } ]
                upstreams:
                  app:
                %s
                    servers: [ { address: "origin.internal:8080" } ]
                routes: [ { upstream: app } ]
                """.formatted(upstreamExtra), "t.yaml");
    }

    @Test
    void aPoolFollowsDns() throws Exception {
        AtomicReference<List<String>> records = new AtomicReference<>(List.of("10.0.0.1", "10.0.0.2"));
        Resolver fake = host -> {
            List<InetAddress> ips = new java.util.ArrayList<>();
            for (String r : records.get()) {
                ips.add(InetAddress.getByName(r));
            }
            return ips;
        };
        try (ControlPlane cp = ControlPlane.start(config("    resolve_every: 50ms"), Balancers.standard(), fake,
                Clock.systemUTC(), System::nanoTime, Executors.newSingleThreadScheduledExecutor())) {
            assertThat(addresses(cp)).containsExactly("10.0.0.1:8080", "10.0.0.2:8080");
            assertThat(cp.status().get(5, TimeUnit.SECONDS).upstreams().get("app").servers())
                    .allMatch(s -> s.source().equals("dns"));
            records.set(List.of("10.0.0.2", "10.0.0.3"));
            await().atMost(Duration.ofSeconds(5)).until(() -> addresses(cp).equals(List.of("10.0.0.2:8080", "10.0.0.3:8080")));
            records.set(List.of());
            Thread.onSpinWait();
            // an empty or failed lookup keeps the previous members: a DNS outage must not empty a pool
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                    .until(() -> addresses(cp).size() == 2);
        }
    }

    private static List<String> addresses(ControlPlane cp) {
        return cp.live().get().pools().get("app").members().stream().map(Server::address).sorted().toList();
    }

    @Test
    void slowStartRampsTheWeightOfAReturningServer() {
        Server s = new Server("10.0.0.1:80", new java.net.InetSocketAddress("10.0.0.1", 80), 10,
                new dev.bascule.upstream.ServerState());
        long ramp = 10_000_000_000L;
        s.state().setRoutableSinceNanos(1_000);
        assertThat(SnapshotBuilder.rampedForSlowStart(s, ramp, 1_000).weight()).isEqualTo(1);
        assertThat(SnapshotBuilder.rampedForSlowStart(s, ramp, 1_000 + ramp / 2).weight()).isEqualTo(6);
        assertThat(SnapshotBuilder.rampedForSlowStart(s, ramp, 1_000 + ramp).weight()).isEqualTo(10);
        assertThat(SnapshotBuilder.rampedForSlowStart(s, 0, 1_000).weight()).as("off").isEqualTo(10);
    }

    @Test
    void serversByIpAreConfigMembersAndUnresolvableNamesAreConfigErrors() throws Exception {
        Resolver none = host -> {
            throw new java.net.UnknownHostException(host);
        };
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ControlPlane.start(config(""), Balancers.standard(),
                        none, Clock.systemUTC(), new AtomicLong()::get, Executors.newSingleThreadScheduledExecutor()))
                .isInstanceOf(dev.bascule.config.ConfigException.class)
                .hasMessageContaining("cannot resolve origin.internal");
    }
}
