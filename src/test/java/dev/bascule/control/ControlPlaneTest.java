package dev.bascule.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.balance.Balancers;
import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ConfigLoader;
import dev.bascule.route.Route;
import dev.bascule.testing.TestCerts;
import dev.bascule.upstream.Server;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parts working together on a real control thread: DNS, slow start, start-up errors, protocol settings in the
 * snapshot.
 */
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

    @Test
    void protocolSettingsReachTheSnapshot(@TempDir Path dir) throws Exception {
        TestCerts.newCa("CA").issue("site.test", List.of("site.test"), List.of()).write(dir, "site");
        Path file = dir.resolve("bascule.yaml");
        // Two listeners on port 0 of different loopback addresses: the control plane alone binds nothing.
        Files.writeString(file, """
                listeners:
                  - { name: secure, address: 127.0.0.1:0, tls: { cert: site.crt, key: site.key },
                      protocols: [ http1, h2 ] }
                  - { name: plain, address: 127.0.0.2:0, protocols: [ http1, h2c ] }
                timeouts: { tunnel_idle: 2h, stream_idle: 90s }
                limits: { h2_max_concurrent_streams: 250 }
                upstreams:
                  grpc:
                    protocol: h2c
                    servers: [ { address: 127.0.0.1:50051 } ]
                    health_check: { type: grpc, service: chat.v1.Chat }
                  api:
                    protocol: h2
                    tls: {}
                    servers: [ { address: 127.0.0.1:8443 } ]
                  web:
                    servers: [ { address: 127.0.0.1:9001 } ]
                routes:
                  - { match: { path_prefix: /chat }, upstream: grpc, websocket: false }
                  - { upstream: web }
                """);
        BasculeConfig config = new ConfigLoader(Balancers.standard().names()).load(file);

        try (ControlPlane cp = ControlPlane.start(config, Balancers.standard(), Resolver.SYSTEM, Clock.systemUTC(),
                System::nanoTime, Executors.newSingleThreadScheduledExecutor())) {
            Snapshot snapshot = cp.live().get();

            assertThat(snapshot.listeners().values()).extracting(ListenerSettings::name, ListenerSettings::tls,
                    ListenerSettings::protocols).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("secure", true, List.of(Protocol.HTTP1, Protocol.H2)),
                    org.assertj.core.groups.Tuple.tuple("plain", false, List.of(Protocol.HTTP1, Protocol.H2C)));
            ProxySettings settings = snapshot.settings();
            assertThat(settings.h2MaxConcurrentStreams()).isEqualTo(250);
            assertThat(settings.tunnelIdleMillis()).isEqualTo(Duration.ofHours(2).toMillis());
            assertThat(settings.streamIdleMillis()).isEqualTo(90_000);
            assertThat(snapshot.pools().get("grpc").protocol()).isEqualTo(Protocol.H2C);
            assertThat(snapshot.pools().get("api").protocol()).isEqualTo(Protocol.H2);
            assertThat(snapshot.pools().get("web").protocol()).isEqualTo(Protocol.HTTP1);
            assertThat(snapshot.routes().routes()).extracting(Route::target).extracting(RouteAction::websocket)
                    .containsExactly(false, true);
            // The health package reads the check as configured, from the probe targets.
            assertThat(cp.probeTargets()).singleElement().satisfies(t -> {
                assertThat(t.check().type()).isEqualTo(dev.bascule.config.HealthCheckConfig.Type.GRPC);
                assertThat(t.check().service()).isEqualTo("chat.v1.Chat");
            });
        }
    }

    @Test
    void protocolSettingsDefaultInTheSnapshot() throws Exception {
        try (ControlPlane cp = ControlPlane.start(config(""), Balancers.standard(), host -> List.of(
                InetAddress.getByName("10.0.0.1")), Clock.systemUTC(), System::nanoTime,
                Executors.newSingleThreadScheduledExecutor())) {
            Snapshot snapshot = cp.live().get();

            assertThat(snapshot.listeners().values()).singleElement()
                    .extracting(ListenerSettings::protocols).isEqualTo(List.of(Protocol.HTTP1));
            assertThat(snapshot.settings().h2MaxConcurrentStreams()).isEqualTo(100);
            assertThat(snapshot.settings().tunnelIdleMillis()).isEqualTo(Duration.ofHours(1).toMillis());
            assertThat(snapshot.settings().streamIdleMillis()).isEqualTo(Duration.ofMinutes(5).toMillis());
            assertThat(snapshot.pools().get("app").protocol()).isEqualTo(Protocol.HTTP1);
            assertThat(snapshot.routes().routes().get(0).target().websocket()).isTrue();
        }
    }
}
