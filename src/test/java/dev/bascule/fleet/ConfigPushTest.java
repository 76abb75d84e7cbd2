package dev.bascule.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.Push;
import dev.bascule.testing.EtcdProcess;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.TestOrigin;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdExceptionFactory;
import io.grpc.Status;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./bascule push} rides out an etcd leader election: on a 3-member cluster whose leader is killed just before
 * the push (listed first, so the push's client meets it first), the push succeeds, is stored once, and both
 * instances of the fleet run it. Only "try again" answers are retried.
 */
@ExtendWith(LeakGuard.class)
class ConfigPushTest {
    @TempDir
    Path dir;

    private List<EtcdProcess> members = List.of();
    private final List<AutoCloseable> closeLast = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = closeLast.size() - 1; i >= 0; i--) {
            closeLast.get(i).close();
        }
        for (EtcdProcess m : members) {
            m.close();
        }
    }

    @Test
    void aPushMadeAsTheLeaderDiesIsStoredOnceAndReachesEveryInstance() throws Exception {
        members = EtcdProcess.startCluster(3);
        TestOrigin blue = TestOrigin.start("blue");
        closeLast.add(blue);
        TestOrigin green = TestOrigin.start("green");
        closeLast.add(green);
        EtcdProcess leader = leaderAmong(members);
        assertThat(leader).as("the cluster's leader").isNotNull();
        List<EtcdProcess> order = new ArrayList<>(members);
        order.remove(leader);
        order.add(0, leader);
        StringBuilder endpoints = new StringBuilder();
        for (EtcdProcess m : order) {
            endpoints.append(endpoints.length() == 0 ? "" : ", ").append('"').append(m.endpoint()).append('"');
        }
        String cluster = "cluster:\n  name: labs\n  etcd: { endpoints: [ " + endpoints + " ], dial_timeout: 1s }\n";
        List<ProxyUnderTest> fleet = List.of(instance("a", cluster), instance("b", cluster));
        assertThat(push(shared("v1.yaml", cluster, blue.address()))).isZero();
        for (ProxyUnderTest p : fleet) {
            await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(origin(p)).isEqualTo("200 blue"));
        }

        leader.kill();
        long start = System.nanoTime();
        assertThat(push(shared("v2.yaml", cluster, green.address()))).as("push during the election").isZero();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        for (ProxyUnderTest p : fleet) {
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(origin(p)).isEqualTo("200 green"));
        }
        List<EtcdProcess> rest = new ArrayList<>(members);
        rest.remove(leader);
        try (Client c = Client.builder().endpoints(rest.stream().map(EtcdProcess::endpoint).toArray(String[]::new))
                .build()) {
            var kv = c.getKVClient().get(FleetKeys.bytes("/bascule/labs/config")).get(5, TimeUnit.SECONDS)
                    .getKvs().get(0);
            assertThat(kv.getVersion()).as("two pushes, two versions (took " + tookMillis + " ms)").isEqualTo(2);
        }
    }

    @Test
    void onlyAnswersThatMeanTryAgainAreRetried() {
        assertThat(ConfigPush.tryAgain(EtcdExceptionFactory.newEtcdException(ErrorCode.UNAVAILABLE,
                "etcdserver: no leader"))).isTrue();
        assertThat(ConfigPush.tryAgain(EtcdExceptionFactory.newEtcdException(ErrorCode.UNAVAILABLE,
                "etcdserver: request timed out"))).isTrue();
        assertThat(ConfigPush.tryAgain(Status.DEADLINE_EXCEEDED.asRuntimeException())).isTrue();
        assertThat(ConfigPush.tryAgain(new TimeoutException())).isTrue();
        assertThat(ConfigPush.tryAgain(EtcdExceptionFactory.newEtcdException(ErrorCode.INVALID_ARGUMENT,
                "etcdserver: request is too large"))).isFalse();
        assertThat(ConfigPush.tryAgain(EtcdExceptionFactory.newEtcdException(ErrorCode.PERMISSION_DENIED,
                "etcdserver: permission denied"))).isFalse();
        assertThat(ConfigPush.tryAgain(EtcdExceptionFactory.newEtcdException(ErrorCode.RESOURCE_EXHAUSTED,
                "etcdserver: mvcc: database space exceeded"))).isFalse();
        assertThat(ConfigPush.tryAgain(new IllegalStateException("no status"))).isFalse();
        // gRPC calls a failed TLS handshake UNAVAILABLE, but the next one fails the same way.
        assertThat(ConfigPush.tryAgain(Status.UNAVAILABLE.withDescription("io exception")
                .withCause(new javax.net.ssl.SSLHandshakeException("bad certificate")).asRuntimeException()))
                .isFalse();
    }

    private ProxyUnderTest instance(String node, String cluster) throws Exception {
        Path file = dir.resolve(node + ".yaml");
        Files.writeString(file, cluster + "  node: " + node + "\n"
                + "listeners: [ { address: 127.0.0.1:0 } ]\n"
                + "admin: { address: 127.0.0.2:0 }\n"
                + "state_file: off\n");
        ProxyUnderTest p = ProxyUnderTest.run(file, 1);
        closeLast.add(p);
        return p;
    }

    private Path shared(String name, String cluster, String upstreamAddress) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, cluster
                + "access_log: { to: off }\n"
                + "upstreams:\n  web: { servers: [ { address: " + upstreamAddress + " } ] }\n"
                + "routes:\n  - { match: { path_prefix: / }, upstream: web }\n");
        return file;
    }

    private static int push(Path file) {
        StringWriter err = new StringWriter();
        int status = new CommandLine(new Push()).setOut(new PrintWriter(new StringWriter(), true))
                .setErr(new PrintWriter(err, true)).execute("-c", file.toString());
        assertThat(err.toString()).as("push's errors").isEmpty();
        return status;
    }

    private static String origin(ProxyUnderTest p) throws Exception {
        HttpResponse<String> r = p.get("labs.test", "/");
        return r.statusCode() + " " + r.headers().firstValue("x-origin").orElse("-");
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
}
