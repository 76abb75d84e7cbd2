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
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.PutOption;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Origins that register themselves in etcd under a lease, as the README's recipe does with etcdctl: every
 * instance of the fleet adds them within a second, a probed pool waits for their first passing check, and when
 * the lease expires (the origin died without a word) or the key is deleted, every instance drains and removes
 * them.
 */
@ExtendWith(LeakGuard.class)
class RegisteredServersTest {
    @TempDir
    Path dir;

    private EtcdProcess etcd;
    private Client etcdClient;
    private TestOrigin blue;
    private TestOrigin green;
    private final List<ProxyUnderTest> fleet = new ArrayList<>();
    private final ScheduledExecutorService keepAlive = Executors.newSingleThreadScheduledExecutor();

    @BeforeEach
    void start() throws Exception {
        etcd = EtcdProcess.start();
        etcdClient = Client.builder().endpoints(etcd.endpoint()).build();
        blue = TestOrigin.start("blue");
        green = TestOrigin.start("green");
    }

    @AfterEach
    void stop() throws Exception {
        keepAlive.shutdownNow();
        fleet.forEach(ProxyUnderTest::close);
        etcdClient.close();
        blue.close();
        green.close();
        etcd.close();
    }

    private String cluster() {
        return FleetFiles.cluster(etcd.endpoint());
    }

    private void startFleet(String upstream) throws Exception {
        Path shared = dir.resolve("shared.yaml");
        Files.writeString(shared, cluster() + "access_log: { to: off }\n"
                + "upstreams:\n" + upstream
                + "routes:\n  - { match: { path_prefix: / }, upstream: web }\n");
        FleetFiles.Pushed pushed = FleetFiles.push("-c", shared.toString());
        assertThat(pushed.exit()).as(pushed.err()).isZero();
        for (String node : List.of("a", "b", "c")) {
            fleet.add(FleetFiles.startInstance(dir, cluster(), node));
        }
        for (ProxyUnderTest p : fleet) {
            await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(origins(p, 4)).containsOnly("blue"));
        }
    }

    private long register(String address, String value, long ttlSeconds, boolean keepAlive) throws Exception {
        long lease = etcdClient.getLeaseClient().grant(ttlSeconds).get(5, TimeUnit.SECONDS).getID();
        if (keepAlive) {
            this.keepAlive.scheduleAtFixedRate(() -> etcdClient.getLeaseClient().keepAliveOnce(lease), 0, 500,
                    TimeUnit.MILLISECONDS);
        }
        etcdClient.getKVClient().put(key(address), ByteSequence.from(value, StandardCharsets.UTF_8),
                PutOption.builder().withLeaseId(lease).build()).get(5, TimeUnit.SECONDS);
        return lease;
    }

    private static ByteSequence key(String address) {
        return ByteSequence.from("/bascule/labs/upstreams/web/servers/" + address, StandardCharsets.UTF_8);
    }

    private static Set<String> origins(ProxyUnderTest p, int requests) throws Exception {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> r = p.get("labs.test", "/");
            assertThat(r.statusCode()).isEqualTo(200);
            seen.add(r.headers().firstValue("x-origin").orElse("-"));
        }
        return seen;
    }

    private static JsonNode server(ProxyUnderTest p, String address) throws Exception {
        JsonNode status = new AdminClient(p.bascule().adminAddress()).get("/status").json();
        for (JsonNode u : status.get("upstreams")) {
            for (JsonNode s : u.get("servers")) {
                if (s.get("address").asText().equals(address)) {
                    return s;
                }
            }
        }
        return null;
    }

    @Test
    void aRegisteredServerJoinsEveryInstanceWithinASecondAndLeavesWhenItsLeaseExpires() throws Exception {
        startFleet("  web: { servers: [ { address: " + blue.address() + " } ] }\n");
        long lease = register(green.address(), "{\"weight\": 3}", 2, true);
        for (ProxyUnderTest p : fleet) {
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                    .untilAsserted(() -> assertThat(server(p, green.address())).isNotNull());
            JsonNode s = server(p, green.address());
            assertThat(s.get("source").asText()).isEqualTo("etcd");
            assertThat(s.get("weight").asInt()).isEqualTo(3);
            assertThat(origins(p, 8)).contains("green", "blue");
        }
        // The origin dies without a word: its lease is no longer renewed and expires.
        keepAlive.shutdownNow();
        for (ProxyUnderTest p : fleet) {
            await().atMost(Duration.ofSeconds(6)).untilAsserted(() -> assertThat(server(p, green.address())).isNull());
            assertThat(origins(p, 6)).containsOnly("blue");
        }
        assertThat(lease).isNotZero();
    }

    @Test
    void deletingTheKeyDeregistersAndANewValueReweights() throws Exception {
        startFleet("  web: { servers: [ { address: " + blue.address() + " } ] }\n");
        register(green.address(), "", 30, false);
        for (ProxyUnderTest p : fleet) {
            await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(server(p, green.address()))
                    .isNotNull());
            assertThat(server(p, green.address()).get("weight").asInt()).isEqualTo(1);
        }
        etcdClient.getKVClient().put(key(green.address()), ByteSequence.from("{\"weight\": 7}",
                StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
        for (ProxyUnderTest p : fleet) {
            await().atMost(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(server(p, green.address()).get("weight").asInt()).isEqualTo(7));
        }
        etcdClient.getKVClient().delete(key(green.address())).get(5, TimeUnit.SECONDS);
        for (ProxyUnderTest p : fleet) {
            await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(server(p, green.address())).isNull());
        }
        // The file's server is never taken over by a registration of the same address.
        register(blue.address(), "", 30, false);
        Thread.sleep(300);
        for (ProxyUnderTest p : fleet) {
            assertThat(server(p, blue.address()).get("source").asText()).isEqualTo("config");
        }
    }

    @Test
    void inAProbedPoolARegisteredServerTakesTrafficOnlyAfterItsFirstPassingCheck() throws Exception {
        startFleet("  web:\n    servers: [ { address: " + blue.address() + " } ]\n"
                + "    health_check: { path: /, interval: 200ms, timeout: 1s, healthy_threshold: 1 }\n");
        // A registration whose origin does not answer: nothing is ever sent to it.
        register("127.0.0.1:1", "", 30, false);
        register(green.address(), "", 30, false);
        for (ProxyUnderTest p : fleet) {
            await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> assertThat(origins(p, 8)).contains("green"));
            assertThat(server(p, "127.0.0.1:1").get("source").asText()).isEqualTo("etcd");
            assertThat(server(p, "127.0.0.1:1").get("state").asText()).isNotEqualTo("healthy");
        }
        for (ProxyUnderTest p : fleet) {
            for (int i = 0; i < 20; i++) {
                assertThat(p.get("labs.test", "/").statusCode()).isEqualTo(200);
            }
        }
    }

    @Test
    void aReloadKeepsRegisteredServers() throws Exception {
        startFleet("  web: { servers: [ { address: " + blue.address() + " } ] }\n");
        register(green.address(), "", 30, false);
        ProxyUnderTest a = fleet.get(0);
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(server(a, green.address())).isNotNull());
        assertThat(a.bascule().reload().get(10, TimeUnit.SECONDS)).isPositive();
        assertThat(server(a, green.address())).isNotNull();
        assertThat(origins(a, 8)).contains("green", "blue");
    }
}
