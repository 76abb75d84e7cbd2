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
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API's changes, shared by a fleet of three instances through etcd transactions: a server added or a
 * split set through one instance applies on every instance within a second, two operators acting at once both
 * get their change, writes during an etcd outage are refused with 503 and nothing is lost after it, and a rollout
 * goes on from its step when the instance driving it dies.
 */
@ExtendWith(LeakGuard.class)
class SharedStateTest {
    @TempDir
    Path dir;

    private EtcdProcess etcd;
    private TestOrigin blue;
    private TestOrigin green;
    private final List<TestOrigin> extra = new ArrayList<>();
    private final List<ProxyUnderTest> fleet = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        etcd = EtcdProcess.start();
        blue = TestOrigin.start("blue");
        green = TestOrigin.start("green");
        Path shared = dir.resolve("shared.yaml");
        Files.writeString(shared, FleetFiles.cluster(etcd.endpoint())
                + "access_log: { to: off }\n"
                + "upstreams:\n"
                + "  web-blue: { servers: [ { address: " + blue.address() + " } ] }\n"
                + "  web-green: { servers: [ { address: " + green.address() + " } ] }\n"
                + "routes:\n"
                + "  - name: app\n    match: { host: app.labs.test }\n"
                + "    split: [ { upstream: web-blue, weight: 100 }, { upstream: web-green, weight: 0 } ]\n"
                + "  - { match: { path_prefix: / }, upstream: web-blue }\n");
        FleetFiles.Pushed pushed = FleetFiles.push("-c", shared.toString());
        assertThat(pushed.exit()).as(pushed.err()).isZero();
        for (String node : List.of("a", "b", "c")) {
            fleet.add(instance(node));
        }
        for (ProxyUnderTest p : fleet) {
            await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> assertThat(origin(p, "labs.test"))
                    .isEqualTo("blue"));
        }
    }

    private ProxyUnderTest instance(String node) throws Exception {
        return FleetFiles.startInstance(dir, FleetFiles.cluster(etcd.endpoint()), node,
                "state_file: " + dir.resolve(node + ".state.json") + "\n");
    }

    @AfterEach
    void stop() throws Exception {
        fleet.forEach(ProxyUnderTest::close);
        extra.forEach(TestOrigin::close);
        blue.close();
        green.close();
        etcd.close();
    }

    private static String origin(ProxyUnderTest p, String host) throws Exception {
        HttpResponse<String> r = p.get(host, "/");
        return r.statusCode() == 200 ? r.headers().firstValue("x-origin").orElse("-") : "status " + r.statusCode();
    }

    private static AdminClient admin(ProxyUnderTest p) {
        return new AdminClient(p.bascule().adminAddress());
    }

    private static Set<String> servers(ProxyUnderTest p, String upstream) throws Exception {
        Set<String> out = new HashSet<>();
        for (JsonNode s : admin(p).get("/status").json().get("upstreams").get(upstream).get("servers")) {
            out.add(s.get("address").asText());
        }
        return out;
    }

    private static int weight(ProxyUnderTest p, String route, String upstream) throws Exception {
        for (JsonNode side : admin(p).get("/routes/" + route).json().get("split")) {
            if (side.get("upstream").asText().equals(upstream)) {
                return side.get("weight").asInt();
            }
        }
        return -1;
    }

    @Test
    void aServerAddedThroughOneInstanceGetsTrafficFromTheOthersWithinASecond() throws Exception {
        TestOrigin added = TestOrigin.start("added");
        extra.add(added);
        AdminClient.Answer a = admin(fleet.get(0)).send("POST", "/upstreams/web-blue/servers",
                "{\"address\": \"" + added.address() + "\"}");
        assertThat(a.status()).as(a.body()).isEqualTo(201);
        for (ProxyUnderTest p : fleet.subList(1, 3)) {
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                    .untilAsserted(() -> assertThat(servers(p, "web-blue")).contains(added.address()));
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                seen.add(origin(p, "labs.test"));
            }
            assertThat(seen).contains("added", "blue");
        }
        // Drained through B: no instance sends it anything new.
        assertThat(admin(fleet.get(1)).send("POST", "/upstreams/web-blue/servers/" + added.address() + "/drain", null)
                .status()).isEqualTo(200);
        for (ProxyUnderTest p : fleet) {
            await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> {
                for (int i = 0; i < 4; i++) {
                    assertThat(origin(p, "labs.test")).isEqualTo("blue");
                }
            });
        }
        // Removed through C: it leaves every pool.
        assertThat(admin(fleet.get(2)).send("DELETE", "/upstreams/web-blue/servers/" + added.address(), null)
                .status()).isEqualTo(202);
        for (ProxyUnderTest p : fleet) {
            await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(servers(p, "web-blue"))
                    .doesNotContain(added.address()));
        }
    }

    @Test
    void aSplitChangedThroughOneInstanceAppliesOnTheOthers() throws Exception {
        AdminClient.Answer a = admin(fleet.get(1)).send("PUT", "/routes/app/split",
                "{\"web-blue\": 0, \"web-green\": 100}");
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        for (ProxyUnderTest p : fleet) {
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                    .untilAsserted(() -> assertThat(origin(p, "app.labs.test")).isEqualTo("green"));
            assertThat(weight(p, "app", "web-green")).isEqualTo(100);
        }
    }

    @Test
    void twoOperatorsActingAtOnceBothGetTheirChange() throws Exception {
        List<TestOrigin> origins = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            origins.add(TestOrigin.start("o" + i));
        }
        extra.addAll(origins);
        List<CompletableFuture<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < origins.size(); i++) {
            ProxyUnderTest via = fleet.get(i % 3);
            String body = "{\"address\": \"" + origins.get(i).address() + "\"}";
            calls.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return admin(via).send("POST", "/upstreams/web-green/servers", body).status();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (CompletableFuture<Integer> c : calls) {
            assertThat(c.get(20, TimeUnit.SECONDS)).isEqualTo(201);
        }
        for (ProxyUnderTest p : fleet) {
            await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
                Set<String> s = servers(p, "web-green");
                for (TestOrigin o : origins) {
                    assertThat(s).contains(o.address());
                }
            });
        }
    }

    @Test
    void aTenSecondEtcdOutageUnderLoadFailsNoRequestRefusesWritesAndConvergesAfter() throws Exception {
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger served = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        List<Thread> loops = new ArrayList<>();
        for (ProxyUnderTest p : fleet) {
            Thread t = new Thread(() -> {
                while (running.get()) {
                    try {
                        HttpResponse<String> r = p.get("app.labs.test", "/");
                        (r.statusCode() == 200 ? served : failures).incrementAndGet();
                    } catch (Exception e) {
                        failures.incrementAndGet();
                    }
                }
            });
            t.start();
            loops.add(t);
        }
        long outageStart = System.nanoTime();
        etcd.kill();
        try {
            AdminClient.Answer split = admin(fleet.get(0)).send("PUT", "/routes/app/split",
                    "{\"web-blue\": 0, \"web-green\": 100}");
            assertThat(split.status()).as(split.body()).isEqualTo(503);
            assertThat(split.body()).contains("nothing changed");
            AdminClient.Answer add = admin(fleet.get(1)).send("POST", "/upstreams/web-blue/servers",
                    "{\"address\": \"" + green.address() + "\"}");
            assertThat(add.status()).as(add.body()).isEqualTo(503);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(admin(fleet.get(2)).get("/cluster")
                    .json().get("connected").asBoolean()).isFalse());
            for (ProxyUnderTest p : fleet) {
                assertThat(weight(p, "app", "web-blue")).as("a refused change is in force nowhere").isEqualTo(100);
                assertThat(servers(p, "web-blue")).containsExactly(blue.address());
            }
            long left = Duration.ofSeconds(10).toNanos() - (System.nanoTime() - outageStart);
            if (left > 0) {
                Thread.sleep(left / 1_000_000);
            }
            etcd.restart();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(admin(fleet.get(0))
                    .send("PUT", "/routes/app/split", "{\"web-blue\": 50, \"web-green\": 50}").status())
                    .isEqualTo(200));
            for (ProxyUnderTest p : fleet) {
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                    assertThat(weight(p, "app", "web-green")).isEqualTo(50);
                    assertThat(admin(p).get("/cluster").json().get("connected").asBoolean()).isTrue();
                });
            }
        } finally {
            running.set(false);
            for (Thread t : loops) {
                t.join(5_000);
            }
        }
        assertThat(failures.get()).as("requests failed during and after the outage").isZero();
        assertThat(served.get()).isGreaterThan(100);
    }

    @Test
    void aRolloutGoesOnFromItsStepWhenTheInstanceDrivingItDies() throws Exception {
        AtomicInteger failures = new AtomicInteger();
        List<Thread> loops = new ArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        for (ProxyUnderTest p : fleet) {
            Thread t = new Thread(() -> {
                while (running.get()) {
                    try {
                        HttpResponse<String> r = p.get("app.labs.test", "/");
                        if (r.statusCode() != 200) {
                            failures.incrementAndGet();
                        }
                    } catch (Exception e) {
                        if (running.get() && !fleetMemberClosed(p)) {
                            failures.incrementAndGet();
                        }
                        return;
                    }
                }
            });
            t.start();
            loops.add(t);
        }
        AdminClient.Answer started = admin(fleet.get(0)).send("POST", "/routes/app/rollout", "{\"to\": \"web-green\","
                + " \"steps\": [10, 30, 60, 100], \"step_interval\": \"1s\", \"guard\": {\"max_error_rate\": 0.5,"
                + " \"max_p99_ratio\": 1000, \"min_requests\": 3}}");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        // Wait for the second step, then find the driver and kill it.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(admin(fleet.get(0))
                .get("/routes/app").json().get("rollout").get("step").asInt()).isGreaterThanOrEqualTo(2));
        ProxyUnderTest driver = null;
        for (ProxyUnderTest p : fleet) {
            if (p.bascule().fleet().drivesRollouts()) {
                driver = p;
            }
        }
        assertThat(driver).as("one instance drives").isNotNull();
        int stepAtKill = admin(driver).get("/routes/app").json().get("rollout").get("step").asInt();
        closed.add(driver);
        driver.close();
        ProxyUnderTest survivor = fleet.stream().filter(p -> !closed.contains(p)).findFirst().orElseThrow();
        await().atMost(Duration.ofSeconds(6)).untilAsserted(() -> assertThat(fleet.stream()
                .filter(p -> !closed.contains(p)).anyMatch(p -> p.bascule().fleet().drivesRollouts())).isTrue());
        // It never goes back to an earlier step, and ends done on every surviving instance.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode r = admin(survivor).get("/routes/app").json().get("rollout");
            assertThat(r.get("step").asInt()).isGreaterThanOrEqualTo(stepAtKill);
            assertThat(r.get("phase").asText()).isEqualTo("done");
        });
        running.set(false);
        for (Thread t : loops) {
            t.join(5_000);
        }
        for (ProxyUnderTest p : fleet) {
            if (!closed.contains(p)) {
                assertThat(origin(p, "app.labs.test")).isEqualTo("green");
            }
        }
        assertThat(failures.get()).isZero();
        fleet.removeAll(closed);
    }

    @Test
    void aFailingGreenIsRolledBackFromTheWholeFleetsFigures() throws Exception {
        green.failEvery(5, 500); // one request in five
        AdminClient.Answer started = admin(fleet.get(0)).send("POST", "/routes/app/rollout", "{\"to\": \"web-green\","
                + " \"steps\": [50, 100], \"step_interval\": \"30s\", \"guard\": {\"max_error_rate\": 0.05,"
                + " \"max_p99_ratio\": 1000, \"min_requests\": 40}}");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(8)).until(() -> fleet.stream().anyMatch(p -> p.bascule().fleet()
                .drivesRollouts()));
        ProxyUnderTest driver = fleet.stream().filter(p -> p.bascule().fleet().drivesRollouts()).findFirst()
                .orElseThrow();
        // Traffic only through the two instances that do not drive: the driver sees none of it itself.
        List<ProxyUnderTest> others = fleet.stream().filter(p -> p != driver).toList();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        List<Thread> loops = new ArrayList<>();
        for (ProxyUnderTest p : others) {
            Thread t = new Thread(() -> {
                while (running.get()) {
                    try {
                        p.get("app.labs.test", "/");
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            t.start();
            loops.add(t);
        }
        try {
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                JsonNode r = admin(driver).get("/routes/app").json().get("rollout");
                assertThat(r.get("phase").asText()).isEqualTo("rolled_back");
                assertThat(r.get("reason").asText()).contains("error rate");
            });
        } finally {
            running.set(false);
            for (Thread t : loops) {
                t.join(5_000);
            }
        }
        for (ProxyUnderTest p : fleet) {
            await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(weight(p, "app", "web-green"))
                    .isZero());
            for (int i = 0; i < 5; i++) {
                assertThat(origin(p, "app.labs.test")).isEqualTo("blue");
            }
        }
    }

    @Test
    void aRunningRolloutWritesTheStateOnlyWhenADecisionChanges() throws Exception {
        AdminClient.Answer started = admin(fleet.get(2)).send("POST", "/routes/app/rollout", "{\"to\": \"web-green\","
                + " \"steps\": [20, 100], \"step_interval\": \"1h\", \"guard\": {\"max_error_rate\": 0.5,"
                + " \"max_p99_ratio\": 1000, \"min_requests\": 5}}");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        try (io.etcd.jetcd.Client client = io.etcd.jetcd.Client.builder().endpoints(etcd.endpoint()).build()) {
            io.etcd.jetcd.ByteSequence key = io.etcd.jetcd.ByteSequence.from("/bascule/labs/state",
                    java.nio.charset.StandardCharsets.UTF_8);
            await().atMost(Duration.ofSeconds(3)).until(() -> fleet.stream()
                    .anyMatch(p -> p.bascule().fleet().drivesRollouts()));
            long before = client.getKVClient().get(key).get(5, TimeUnit.SECONDS).getKvs().get(0).getModRevision();
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            int i = 0;
            while (System.nanoTime() < until) { // the driver judges each second, on figures that move
                assertThat(fleet.get(i++ % 3).get("app.labs.test", "/").statusCode()).isEqualTo(200);
            }
            long after = client.getKVClient().get(key).get(5, TimeUnit.SECONDS).getKvs().get(0).getModRevision();
            assertThat(after).as("no write while the step goes on").isEqualTo(before);
            assertThat(admin(fleet.get(0)).get("/routes/app").json().get("rollout").get("step").asInt()).isEqualTo(1);
        }
    }

    private final List<ProxyUnderTest> closed = new java.util.concurrent.CopyOnWriteArrayList<>();

    private boolean fleetMemberClosed(ProxyUnderTest p) {
        return closed.contains(p);
    }
}
