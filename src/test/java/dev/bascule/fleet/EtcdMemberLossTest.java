package dev.bascule.fleet;

import dev.bascule.testing.FleetFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bascule.testing.AdminClient;
import dev.bascule.testing.EtcdProcess;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.LoadLoop;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.TestOrigin;
import io.etcd.jetcd.Client;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A fleet of two instances on a 3-member etcd cluster, both listing all three members, loses one member (killed):
 * the raft leader or a follower, listed first so it is the member their clients talk to. Under continuous load
 * nothing served fails, {@code GET /cluster} keeps saying connected, the dead member shows unhealthy there, and a
 * config pushed once the other two have a leader reaches both instances within a second.
 */
@ExtendWith(LeakGuard.class)
class EtcdMemberLossTest {
    private static final String GET = "GET / HTTP/1.1\r\nHost: labs.test\r\n\r\n";

    @TempDir
    Path dir;

    private List<EtcdProcess> members;
    private TestOrigin blue;
    private TestOrigin green;
    private final List<ProxyUnderTest> instances = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        members = EtcdProcess.startCluster(3);
        blue = TestOrigin.start("blue");
        green = TestOrigin.start("green");
    }

    @AfterEach
    void stop() throws Exception {
        instances.forEach(ProxyUnderTest::close);
        blue.close();
        green.close();
        for (EtcdProcess m : members) {
            m.close();
        }
    }

    /**
     * @param leader whether the member that dies is the raft leader (then the other two elect a new one, and etcd
     *     refuses writes until they have) or a follower; either way it is the one listed first, which the instances'
     *     clients talk to
     */
    @ParameterizedTest(name = "the leader: {0}")
    @ValueSource(booleans = {true, false})
    void losingAMemberChangesNothingServedAndAPushStillReachesEveryInstance(boolean leader) throws Exception {
        EtcdProcess victim = leader ? leader(members) : members.stream().filter(m -> m != leader(members))
                .findFirst().orElseThrow();
        List<EtcdProcess> rest = new ArrayList<>(members);
        rest.remove(victim);
        List<EtcdProcess> order = new ArrayList<>(rest);
        order.add(0, victim);
        String cluster = cluster(order);

        ProxyUnderTest a = instance("a", cluster);
        ProxyUnderTest b = instance("b", cluster);
        List<ProxyUnderTest> fleet = List.of(a, b);
        push(shared("v1.yaml", cluster, blue.address()));
        for (ProxyUnderTest p : fleet) {
            await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(origin(p)).isEqualTo("200 blue"));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode c = cluster(p);
                assertThat(c.get("connected").asBoolean()).isTrue();
                assertThat(c.get("etcd")).hasSize(3).allSatisfy(e ->
                        assertThat(e.get("healthy").asBoolean()).as(e.toString()).isTrue());
            });
        }

        // Every 25 ms, each instance's /cluster: any 'connected: false' from the loss on is recorded.
        List<String> disconnected = new CopyOnWriteArrayList<>();
        AtomicLong killedAt = new AtomicLong();
        ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor();
        try (LoadLoop loadA = new LoadLoop(a.address(), GET, 2, 1_000_000);
                LoadLoop loadB = new LoadLoop(b.address(), GET, 2, 1_000_000)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> loadA.ok() > 100 && loadB.ok() > 100);
            killedAt.set(System.nanoTime());
            poller.scheduleAtFixedRate(() -> {
                for (ProxyUnderTest p : fleet) {
                    try {
                        JsonNode c = cluster(p);
                        if (!c.get("connected").asBoolean()) {
                            disconnected.add(c.get("node").asText() + " at +"
                                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt.get()) + " ms");
                        }
                    } catch (Exception | AssertionError e) {
                        disconnected.add("GET /cluster failed: " + e);
                    }
                }
            }, 0, 25, TimeUnit.MILLISECONDS);
            victim.kill();

            // Once the other two have a leader (at once when a follower died; an election after the leader),
            // a push reaches both instances within a second.
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> leaderAmong(rest) != null);
            push(shared("v2.yaml", cluster, green.address()));
            for (ProxyUnderTest p : fleet) {
                await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
                        .untilAsserted(() -> assertThat(origin(p)).isEqualTo("200 green"));
            }
            // Both report the dead member unhealthy, the other two healthy.
            for (ProxyUnderTest p : fleet) {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    for (JsonNode e : cluster(p).get("etcd")) {
                        boolean dead = e.get("endpoint").asText().equals(victim.endpoint());
                        assertThat(e.get("healthy").asBoolean()).as(e.toString()).isEqualTo(!dead);
                    }
                });
            }
            // The load ran through all of it, and on into the new config.
            int green = loadA.okFrom("green") + loadB.okFrom("green");
            await().atMost(Duration.ofSeconds(5)).until(() -> loadA.okFrom("green") + loadB.okFrom("green")
                    > green + 200);
            poller.shutdown();
            assertThat(poller.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
            loadA.close();
            loadB.close();
            assertThat(loadA.failures()).as("a's failed requests").isEmpty();
            assertThat(loadB.failures()).as("b's failed requests").isEmpty();
            assertThat(loadA.okFrom("blue")).isPositive();
            assertThat(loadB.okFrom("blue")).isPositive();
            assertThat(disconnected).as("/cluster said disconnected").isEmpty();
        } finally {
            poller.shutdownNow();
        }
    }

    /** The member the others follow, among {@code live}; null while they have none (or do not answer). */
    private static EtcdProcess leaderAmong(List<EtcdProcess> live) {
        try (Client c = Client.builder().endpoints(live.stream().map(EtcdProcess::endpoint)
                .toArray(String[]::new)).build()) {
            for (EtcdProcess m : live) {
                var s = c.getMaintenanceClient().statusMember(m.endpoint()).get(1, TimeUnit.SECONDS);
                if (s.getLeader() == s.getHeader().getMemberId()) {
                    return m;
                }
            }
            return null;
        } catch (Exception e) {
            return null;
        }
    }

    private static EtcdProcess leader(List<EtcdProcess> members) {
        EtcdProcess leader = leaderAmong(members);
        assertThat(leader).as("the cluster's leader").isNotNull();
        return leader;
    }

    private static String cluster(List<EtcdProcess> order) {
        StringBuilder endpoints = new StringBuilder();
        for (EtcdProcess m : order) {
            endpoints.append(endpoints.length() == 0 ? "" : ", ").append('"').append(m.endpoint()).append('"');
        }
        return "cluster:\n  name: labs\n  etcd: { endpoints: [ " + endpoints + " ], dial_timeout: 1s }\n";
    }

    private ProxyUnderTest instance(String node, String cluster) throws Exception {
        ProxyUnderTest p = FleetFiles.startInstance(dir, cluster, node);
        instances.add(p);
        return p;
    }

    private Path shared(String name, String cluster, String upstreamAddress) throws Exception {
        return FleetFiles.sharedConfig(dir, name, cluster, upstreamAddress);
    }

    private static void push(Path file) {
        FleetFiles.Pushed pushed = FleetFiles.push("-c", file.toString());
        assertThat(pushed.exit()).as(pushed.err()).isZero();
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
}
