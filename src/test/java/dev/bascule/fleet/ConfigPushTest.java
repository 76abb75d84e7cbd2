package dev.bascule.fleet;

import dev.bascule.testing.FleetFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.testing.EtcdProcess;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.TestOrigin;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdExceptionFactory;
import io.grpc.Status;
import java.net.http.HttpResponse;
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
        ProxyUnderTest p = FleetFiles.startInstance(dir, cluster, node);
        closeLast.add(p);
        return p;
    }

    private Path shared(String name, String cluster, String upstreamAddress) throws Exception {
        return FleetFiles.sharedConfig(dir, name, cluster, upstreamAddress);
    }

    private static int push(Path file) {
        FleetFiles.Pushed pushed = FleetFiles.push("-c", file.toString());
        assertThat(pushed.err()).as("push's errors").isEmpty();
        return pushed.exit();
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
