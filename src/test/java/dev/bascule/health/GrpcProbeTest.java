package dev.bascule.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.config.CertificateConfig;
import dev.bascule.config.HealthCheckConfig;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.TestCerts;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code health_check: { type: grpc }} against grpc-java's own health service ({@link HealthStatusManager}): the
 * probe calls {@code grpc.health.v1.Health/Check} over h2c (or h2 with the upstream's TLS) and passes only on
 * SERVING; the thresholds take a NOT_SERVING server out of the candidates and bring it back.
 */
@ExtendWith(LeakGuard.class)
class GrpcProbeTest {
    @TempDir
    Path dir;
    private final HealthStatusManager healthA = new HealthStatusManager();
    private final HealthStatusManager healthB = new HealthStatusManager();
    private Server a;
    private Server b;
    /** A gRPC server without the health service. */
    private Server bare;
    private HealthFixture f;

    @BeforeEach
    void start() throws Exception {
        a = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(healthA.getHealthService()).build().start();
        b = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(healthB.getHealthService()).build().start();
        bare = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).build().start();
        healthA.setStatus("svc.Known", ServingStatus.SERVING);
        f = HealthFixture.start("""
                listeners: [ { address: 127.0.0.1:0 } ]
                upstreams:
                  web:
                    protocol: h2c
                    servers: [ { address: 127.0.0.1:%d }, { address: 127.0.0.1:%d }, { address: 127.0.0.1:%d } ]
                    health_check: { type: grpc, interval: 1h, timeout: 2s, healthy_threshold: 2, unhealthy_threshold: 2 }
                routes:
                  - match: { path_prefix: / }
                    upstream: web
                """.formatted(a.getPort(), b.getPort(), bare.getPort()));
    }

    @AfterEach
    void stop() throws Exception {
        f.close();
        for (Server s : new Server[] {a, b, bare}) {
            s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static String address(Server s) {
        return "127.0.0.1:" + s.getPort();
    }

    private ProbeResult probe(Server s, String service) throws Exception {
        ProbeTarget t = f.target(address(s));
        HealthCheckConfig c = t.check();
        HealthCheckConfig check = new HealthCheckConfig(c.path(), c.interval(), c.timeout(), c.expectStatusMin(),
                c.expectStatusMax(), c.healthyThreshold(), c.unhealthyThreshold(), c.host(), c.type(), service);
        return f.checker.probeOnce(HealthFixture.withCheck(t, check)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void servingPassesForTheServerAndForAKnownService() throws Exception {
        assertThat(probe(a, "").passed()).isTrue();
        assertThat(probe(a, "svc.Known").passed()).isTrue();
    }

    @Test
    void notServingFails() throws Exception {
        healthA.setStatus("svc.Known", ServingStatus.NOT_SERVING);
        ProbeResult r = probe(a, "svc.Known");
        assertThat(r.passed()).isFalse();
        assertThat(r.problem()).isEqualTo("NOT_SERVING");
    }

    @Test
    void anUnknownServiceFails() throws Exception {
        ProbeResult r = probe(a, "svc.Unknown");
        assertThat(r.passed()).isFalse();
        assertThat(r.problem()).startsWith("grpc-status 5 NOT_FOUND");
    }

    @Test
    void aServerWithoutTheHealthServiceFailsUnimplemented() throws Exception {
        ProbeResult r = probe(bare, "");
        assertThat(r.passed()).isFalse();
        assertThat(r.problem()).startsWith("grpc-status 12 UNIMPLEMENTED");
    }

    @Test
    void aStoppedServerFailsAtOnce() throws Exception {
        // A refused connection: the probe says so rather than hanging until its timeout.
        ProbeTarget target = f.target(address(b));
        b.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        ProbeResult r = f.checker.probeOnce(target).get(10, TimeUnit.SECONDS);
        assertThat(r.passed()).isFalse();
        assertThat(r.problem()).isEqualTo("connect refused");
    }

    @Test
    void notServingTakesTheServerOutAfterTheThresholdAndServingBringsItBack() throws Exception {
        ProbeTarget target = f.target(address(a));
        healthA.setStatus("", ServingStatus.NOT_SERVING);
        assertThat(f.checker.checkNow(target).get(10, TimeUnit.SECONDS).problem()).isEqualTo("NOT_SERVING");
        assertThat(f.candidates()).as("one failure is under the threshold of 2").contains(address(a));
        f.checker.checkNow(target).get(10, TimeUnit.SECONDS);
        assertThat(f.state(address(a))).isEqualTo("unhealthy");
        assertThat(f.candidates()).doesNotContain(address(a)).contains(address(b));

        healthA.setStatus("", ServingStatus.SERVING);
        assertThat(f.checker.checkNow(target).get(10, TimeUnit.SECONDS).passed()).isTrue();
        assertThat(f.candidates()).as("one pass is under the threshold of 2").doesNotContain(address(a));
        f.checker.checkNow(target).get(10, TimeUnit.SECONDS);
        assertThat(f.state(address(a))).isEqualTo("healthy");
        assertThat(f.candidates()).contains(address(a));
    }

    @Test
    void overTlsTheProbeSpeaksH2WithTheUpstreamsTls() throws Exception {
        TestCerts.Ca ca = TestCerts.newCa("Bascule Test CA");
        CertificateConfig files = ca.issue("localhost", java.util.List.of("localhost"),
                java.util.List.of("127.0.0.1")).write(dir, "origin");
        Path caFile = ca.writeCert(dir.resolve("ca.pem"));
        HealthStatusManager health = new HealthStatusManager();
        Server secure = Grpc.newServerBuilderForPort(0,
                        TlsServerCredentials.create(files.cert().toFile(), files.key().toFile()))
                .addService(health.getHealthService()).build().start();
        try (HealthFixture tls = HealthFixture.start("""
                listeners: [ { address: 127.0.0.1:0 } ]
                upstreams:
                  web:
                    protocol: h2
                    tls: { ca: "%s" }
                    servers: [ { address: 127.0.0.1:%d } ]
                    health_check: { type: grpc, interval: 1h, timeout: 2s }
                routes:
                  - match: { path_prefix: / }
                    upstream: web
                """.formatted(caFile, secure.getPort()))) {
            ProbeTarget t = tls.target("127.0.0.1:" + secure.getPort());
            assertThat(t.tls()).isNotNull();
            assertThat(tls.checker.probeOnce(t).get(10, TimeUnit.SECONDS).passed()).isTrue();
            health.setStatus("", ServingStatus.NOT_SERVING);
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    "NOT_SERVING".equals(tls.checker.probeOnce(t).get(10, TimeUnit.SECONDS).problem()));
        } finally {
            secure.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
