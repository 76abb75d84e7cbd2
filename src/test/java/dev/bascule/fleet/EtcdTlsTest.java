package dev.bascule.fleet;

import dev.bascule.testing.FleetFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bascule.config.CertificateConfig;
import dev.bascule.testing.AdminClient;
import dev.bascule.testing.EtcdProcess;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.TestCerts;
import dev.bascule.testing.TestOrigin;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet on an etcd that talks only TLS and asks every client for a certificate its CA signed ({@code
 * --client-cert-auth}): with {@code tls: { ca, cert, key }} push and the instances work as over plain http; without
 * a client certificate, or trusting another CA, an instance reports itself disconnected with the TLS reason, and
 * push exits 2 with it at once (a failed handshake is not retried).
 */
@ExtendWith(LeakGuard.class)
class EtcdTlsTest {
    @TempDir
    Path dir;

    private EtcdProcess etcd;
    private TestOrigin blue;
    private CertificateConfig client;
    private Path ca;
    private final List<ProxyUnderTest> instances = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        TestCerts.Ca authority = TestCerts.newCa("etcd test CA");
        ca = authority.writeCert(dir.resolve("ca.crt"));
        CertificateConfig server = authority.issue("etcd", List.of("localhost"), List.of("127.0.0.1")).write(dir,
                "server");
        client = authority.issue("bascule", List.of(), List.of()).write(dir, "client");
        etcd = EtcdProcess.start(new EtcdProcess.Tls(server.cert(), server.key(), ca));
        blue = TestOrigin.start("blue");
    }

    @AfterEach
    void stop() throws Exception {
        instances.forEach(ProxyUnderTest::close);
        blue.close();
        etcd.close();
    }

    private String cluster(String tls) {
        return "cluster:\n  name: labs\n  etcd: { endpoints: [ \"" + etcd.endpoint() + "\" ], dial_timeout: 1s,\n"
                + "    tls: " + tls + " }\n";
    }

    private String withClientCert() {
        return "{ ca: " + ca + ", cert: " + client.cert() + ", key: " + client.key() + " }";
    }

    private ProxyUnderTest instance(String node, String tls) throws Exception {
        ProxyUnderTest p = FleetFiles.startInstance(dir, cluster(tls), node);
        instances.add(p);
        return p;
    }

    private Path shared(String tls) throws Exception {
        return FleetFiles.sharedConfig(dir, "shared.yaml", cluster(tls), blue.address());
    }

    private static int push(Path file, StringWriter err) {
        FleetFiles.Pushed pushed = FleetFiles.push("-c", file.toString());
        err.write(pushed.err());
        return pushed.exit();
    }

    private static JsonNode cluster(ProxyUnderTest p) throws Exception {
        AdminClient.Answer a = new AdminClient(p.bascule().adminAddress()).get("/cluster");
        assertThat(a.status()).isEqualTo(200);
        return a.json();
    }

    private static String origin(ProxyUnderTest p) throws Exception {
        HttpResponse<String> r = p.get("labs.test", "/");
        return r.statusCode() + " " + r.headers().firstValue("x-origin").orElse("-");
    }

    @Test
    void withTheClientCertificateAPushReachesTheInstanceAndTheEndpointIsHealthy() throws Exception {
        ProxyUnderTest a = instance("a", withClientCert());
        StringWriter err = new StringWriter();
        assertThat(push(shared(withClientCert()), err)).as(err.toString()).isZero();
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertThat(origin(a)).isEqualTo("200 blue"));
        await().atMost(Duration.ofSeconds(7)).untilAsserted(() -> {
            JsonNode c = cluster(a);
            assertThat(c.get("connected").asBoolean()).isTrue();
            assertThat(c.get("config").get("revision").asLong()).isPositive();
            assertThat(c.get("etcd")).hasSize(1);
            JsonNode e = c.get("etcd").get(0);
            assertThat(e.get("endpoint").asText()).isEqualTo(etcd.endpoint());
            assertThat(e.get("healthy").asBoolean()).as(e.toString()).isTrue();
        });
    }

    @Test
    void withoutAClientCertificateTheInstanceIsDisconnectedAndPushExits2() throws Exception {
        refused("{ ca: " + ca + " }");
    }

    @Test
    void trustingAnotherCaTheInstanceIsDisconnectedAndPushExits2() throws Exception {
        Path otherCa = TestCerts.newCa("another CA").writeCert(dir.resolve("other-ca.crt"));
        refused("{ ca: " + otherCa + ", cert: " + client.cert() + ", key: " + client.key() + " }");
    }

    private void refused(String tls) throws Exception {
        ProxyUnderTest a = instance("a", tls);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonNode c = cluster(a);
            assertThat(c.get("connected").asBoolean()).isFalse();
            JsonNode e = c.get("etcd").get(0);
            assertThat(e.get("healthy").asBoolean()).isFalse();
            assertThat(e.get("error").asText()).startsWith("TLS handshake failed: ");
        });
        assertThat(a.get("labs.test", "/").statusCode()).as("its own file: no routes").isEqualTo(404);

        StringWriter err = new StringWriter();
        long start = System.nanoTime();
        assertThat(push(shared(tls), err)).as(err.toString()).isEqualTo(2);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(err.toString()).contains("did not take the config").contains(etcd.endpoint())
                .contains("TLS handshake failed: ");
        // A handshake that failed fails the same way again: push says so at once rather than retrying it for
        // the 15 s it gives an election.
        assertThat(tookMillis).as("push gave up at once").isLessThan(5_000);
    }
}
