package dev.bascule.fleet;

import dev.bascule.testing.FleetFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bascule.testing.EtcdProcess;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.TestOrigin;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.CompactOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An instance that talks to one member of a 3-member etcd cluster misses, while that member is down, a new config
 * version and more changes, and the other two compact the history it would resume from. When its member is back
 * (it replays the compaction too), the history it missed is gone, and it serves the newest config.
 *
 * <p>{@link PrefixFollower} reads everything again after any failed watch (here etcd's connection closing), so it
 * never asks for the compacted revisions; the {@code CompactedException} it tells apart comes only from a watch that
 * starts behind a compaction, which the last check shows jetcd reports as such.
 */
@ExtendWith(LeakGuard.class)
class EtcdCompactionTest {
    @TempDir
    Path dir;

    private List<EtcdProcess> members;
    private TestOrigin blue;
    private TestOrigin green;
    private ProxyUnderTest instance;

    @BeforeEach
    void start() throws Exception {
        members = EtcdProcess.startCluster(3);
        blue = TestOrigin.start("blue");
        green = TestOrigin.start("green");
    }

    @AfterEach
    void stop() throws Exception {
        if (instance != null) {
            instance.close();
        }
        blue.close();
        green.close();
        for (EtcdProcess m : members) {
            m.close();
        }
    }

    @Test
    void anInstanceWhoseMemberMissedACompactedHistoryReadsEverythingAgainAndServesTheNewestConfig()
            throws Exception {
        EtcdProcess a = members.get(0);
        List<EtcdProcess> rest = members.subList(1, 3);
        instance = instance(cluster(List.of(a)));
        push(shared("v1.yaml", cluster(members), blue.address()));
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertThat(origin(instance)).isEqualTo("200 blue"));

        a.kill();
        long v2;
        try (Client others = Client.builder().endpoints(rest.stream().map(EtcdProcess::endpoint)
                .toArray(String[]::new)).build()) {
            push(shared("v2.yaml", cluster(rest), green.address()));
            v2 = others.getKVClient().get(FleetKeys.bytes("/bascule/labs/config")).get(5, TimeUnit.SECONDS)
                    .getKvs().get(0).getModRevision();
            long revision = 0;
            for (int i = 0; i < 20; i++) {
                revision = others.getKVClient().put(FleetKeys.bytes("/elsewhere/" + i), FleetKeys.bytes("x"))
                        .get(5, TimeUnit.SECONDS).getHeader().getRevision();
            }
            others.getKVClient().compact(revision, CompactOption.newBuilder().withCompactPhysical(true).build())
                    .get(5, TimeUnit.SECONDS);
        }
        a.restart();

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertThat(origin(instance)).isEqualTo("200 green"));
        try (Client onA = Client.builder().endpoints(a.endpoint()).build()) {
            // A replayed the compaction: the revisions the instance missed are gone there too.
            assertThatThrownBy(() -> onA.getKVClient().get(FleetKeys.bytes("/bascule/labs/config"),
                    GetOption.builder().withRevision(v2).build()).get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("required revision has been compacted");
            // And a watch resumed from one of them fails with the CompactedException PrefixFollower tells apart.
            CompletableFuture<Throwable> failure = new CompletableFuture<>();
            try (Watch.Watcher w = onA.getWatchClient().watch(FleetKeys.bytes("/bascule/labs/"),
                    WatchOption.builder().isPrefix(true).withRevision(v2).build(),
                    Watch.listener(r -> { }, failure::complete))) {
                assertThat(failure.get(5, TimeUnit.SECONDS)).isInstanceOf(CompactedException.class);
            }
        }
    }

    private static String cluster(List<EtcdProcess> order) {
        StringBuilder endpoints = new StringBuilder();
        for (EtcdProcess m : order) {
            endpoints.append(endpoints.length() == 0 ? "" : ", ").append('"').append(m.endpoint()).append('"');
        }
        return "cluster:\n  name: labs\n  etcd: { endpoints: [ " + endpoints + " ], dial_timeout: 1s }\n";
    }

    private ProxyUnderTest instance(String cluster) throws Exception {
        return FleetFiles.startInstance(dir, cluster, "a");
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
}
