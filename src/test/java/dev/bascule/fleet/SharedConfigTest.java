package dev.bascule.fleet;

import dev.bascule.testing.FleetFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bascule.testing.AdminClient;
import dev.bascule.testing.EtcdProcess;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.TestOrigin;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three instances of one fleet, each with a bootstrap file of its own (the cluster, a listener, an admin API),
 * sharing the config pushed to a real etcd: a push reaches all three within a second, a version that cannot apply
 * leaves the running one and is reported, and an etcd outage changes nothing served.
 */
@ExtendWith(LeakGuard.class)
class SharedConfigTest {
    @TempDir
    Path dir;

    private EtcdProcess etcd;
    private TestOrigin blue;
    private TestOrigin green;
    private final List<ProxyUnderTest> instances = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        etcd = EtcdProcess.start();
        blue = TestOrigin.start("blue");
        green = TestOrigin.start("green");
    }

    @AfterEach
    void stop() throws Exception {
        instances.forEach(ProxyUnderTest::close);
        blue.close();
        green.close();
        etcd.close();
    }

    private String cluster() {
        return FleetFiles.cluster(etcd.endpoint());
    }

    private ProxyUnderTest instance(String node) throws Exception {
        ProxyUnderTest p = FleetFiles.startInstance(dir, cluster(), node);
        instances.add(p);
        return p;
    }

    private Path shared(String name, String upstreamAddress) throws Exception {
        return FleetFiles.sharedConfig(dir, name, cluster(), upstreamAddress);
    }

    private static int push(Path file, StringWriter out, StringWriter err) {
        FleetFiles.Pushed pushed = FleetFiles.push("-c", file.toString());
        out.write(pushed.out());
        err.write(pushed.err());
        return pushed.exit();
    }

    private static String origin(ProxyUnderTest p) throws Exception {
        HttpResponse<String> r = p.get("labs.test", "/");
        return r.statusCode() + " " + r.headers().firstValue("x-origin").orElse("-");
    }

    private static JsonNode cluster(ProxyUnderTest p) throws Exception {
        AdminClient.Answer a = new AdminClient(p.bascule().adminAddress()).get("/cluster");
        assertThat(a.status()).isEqualTo(200);
        return a.json();
    }

    @Test
    void aPushReachesEveryInstanceWithinASecond() throws Exception {
        List<ProxyUnderTest> fleet = List.of(instance("a"), instance("b"), instance("c"));
        for (ProxyUnderTest p : fleet) {
            assertThat(p.get("labs.test", "/").statusCode()).as("no routes before a push").isEqualTo(404);
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(push(shared("v1.yaml", blue.address()), out, err)).as(err.toString()).isZero();
        assertThat(out.toString()).contains("pushed to fleet labs as revision");
        for (ProxyUnderTest p : fleet) {
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                    .untilAsserted(() -> assertThat(origin(p)).isEqualTo("200 blue"));
        }
        assertThat(push(shared("v2.yaml", green.address()), out, err)).as(err.toString()).isZero();
        for (ProxyUnderTest p : fleet) {
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                    .untilAsserted(() -> assertThat(origin(p)).isEqualTo("200 green"));
        }
        // Every instance sees every other, live, each at the same revision.
        await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
            JsonNode c = cluster(fleet.get(1));
            assertThat(c.get("cluster").asText()).isEqualTo("labs");
            assertThat(c.get("node").asText()).isEqualTo("b");
            assertThat(c.get("connected").asBoolean()).isTrue();
            long revision = c.get("config").get("revision").asLong();
            assertThat(revision).isPositive();
            assertThat(c.get("nodes")).hasSize(3);
            for (JsonNode n : c.get("nodes")) {
                assertThat(n.get("live").asBoolean()).isTrue();
                assertThat(n.get("config_revision").asLong()).isEqualTo(revision);
                assertThat(n.get("admin").asText()).startsWith("127.0.0.2:");
            }
            assertThat(c.get("etcd")).hasSize(1);
            assertThat(c.get("etcd").get(0).get("healthy").asBoolean()).isTrue();
        });
    }

    @Test
    void aPushThatValidatesButCannotApplyLeavesTheRunningConfigAndSaysWhy() throws Exception {
        List<ProxyUnderTest> fleet = List.of(instance("a"), instance("b"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(push(shared("v1.yaml", blue.address()), out, err)).isZero();
        for (ProxyUnderTest p : fleet) {
            await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(origin(p)).isEqualTo("200 blue"));
        }
        // Valid YAML and a valid config, but its server's host name does not resolve on the instances.
        assertThat(push(shared("v2.yaml", "no-such-host.invalid:80"), out, err)).isZero();
        await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
            for (JsonNode n : cluster(fleet.get(0)).get("nodes")) {
                assertThat(n.get("config_error").asText()).contains("no-such-host.invalid");
            }
        });
        for (ProxyUnderTest p : fleet) {
            assertThat(origin(p)).isEqualTo("200 blue");
        }
    }

    @Test
    void pushRefusesAnInvalidConfigWithFileLineAndColumn() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, cluster() + "upstreams:\n  web: { servers: [ { address: " + blue.address()
                + " } ] }\nroutes:\n  - { match: { path_prefix: / }, upstream: nope }\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(push(bad, out, err)).isEqualTo(1);
        assertThat(err.toString()).contains("bad.yaml:7:").contains("nope");
    }

    @Test
    void anEtcdOutageChangesNothingServedAndTheFleetCatchesUpAfterIt() throws Exception {
        ProxyUnderTest a = instance("a");
        ProxyUnderTest b = instance("b");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(push(shared("v1.yaml", blue.address()), out, err)).isZero();
        for (ProxyUnderTest p : List.of(a, b)) {
            await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(origin(p)).isEqualTo("200 blue"));
        }
        etcd.kill();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(cluster(a).get("connected").asBoolean()).isFalse());
        for (int i = 0; i < 50; i++) {
            assertThat(origin(a)).isEqualTo("200 blue");
            assertThat(origin(b)).isEqualTo("200 blue");
        }
        etcd.restart();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(cluster(a).get("connected").asBoolean()).isTrue());
        assertThat(push(shared("v2.yaml", green.address()), out, err)).as(err.toString()).isZero();
        for (ProxyUnderTest p : List.of(a, b)) {
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(origin(p)).isEqualTo("200 green"));
        }
    }

    @Test
    void anInstanceStartedWhileEtcdIsDownServesItsFileAndFollowsTheFleetOnceItAnswers() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(push(shared("v1.yaml", blue.address()), out, err)).isZero();
        etcd.kill();
        ProxyUnderTest a = instance("a");
        assertThat(a.get("labs.test", "/").statusCode()).isEqualTo(404);
        etcd.restart();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(origin(a)).isEqualTo("200 blue"));
    }

    @Test
    void theDemoConfigPushedWithABootstrapFileKeepsEachInstancesOwnListenerAndAdmin() throws Exception {
        ProxyUnderTest a = instance("a");
        int port = a.port();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        FleetFiles.Pushed pushed = FleetFiles.push("-c", Path.of("examples/labs.yaml").toString(), "--cluster",
                dir.resolve("a.yaml").toString());
        assertThat(pushed.exit()).as(pushed.err()).isZero();
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
            JsonNode status = new AdminClient(a.bascule().adminAddress()).get("/status").json();
            assertThat(status.get("config").get("file").asText()).startsWith("etcd:/bascule/labs/config@");
            assertThat(status.get("upstreams").has("web-blue")).isTrue();
            assertThat(status.get("upstreams").has("web-green")).isTrue();
        });
        assertThat(a.port()).as("the instance's own listener, not the demo's 8080").isEqualTo(port);
    }

    @Test
    void theReadmesBootstrapExampleIsAValidConfig() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int section = readme.indexOf("## Running a fleet");
        int start = readme.indexOf("```yaml\n", section) + "```yaml\n".length();
        String yaml = readme.substring(start, readme.indexOf("```", start));
        var config = new dev.bascule.config.ConfigLoader(dev.bascule.balance.Balancers.standard().names())
                .parse(yaml, "README.md");
        assertThat(config.cluster().name()).isEqualTo("labs");
        assertThat(config.cluster().node()).isEqualTo("edge-1");
        assertThat(config.routes()).isEmpty();
    }
}
