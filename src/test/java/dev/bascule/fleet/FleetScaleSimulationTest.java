package dev.bascule.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.testing.EtcdProcess;
import dev.bascule.testing.LeakGuard;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link FleetScaleSimulation} at a tiny scale (5 followers, 20 servers), so the program {@code bench/fleet-sim}
 * runs keeps working: every follower sees every change, a lease's key goes no sooner than its TTL, and with
 * heartbeats every follower holds every follower's record.
 */
@ExtendWith(LeakGuard.class)
class FleetScaleSimulationTest {

    @Test
    void everyFollowerSeesEveryRegistrationRemovalAndExpiry() throws Exception {
        FleetScaleSimulation.Scale scale = new FleetScaleSimulation.Scale(5, 20, 5, 1, 10, 1, Duration.ZERO,
                Duration.ofSeconds(1));
        FleetScaleSimulation.Result r;
        try (EtcdProcess etcd = EtcdProcess.start()) {
            r = FleetScaleSimulation.run(etcd.endpoint(), etcd.pid(), scale);
        }

        assertThat(r.missed()).as(FleetScaleSimulation.report(r)).isEmpty();
        assertThat(r.probes()).allSatisfy(p -> assertThat(p.seenBy()).as(p.key()).isEqualTo(5));
        assertThat(r.nanos(FleetScaleSimulation.Kind.INITIAL)).hasSize(1);
        assertThat(r.nanos(FleetScaleSimulation.Kind.ADD)).hasSize(5);
        assertThat(r.nanos(FleetScaleSimulation.Kind.REMOVE)).hasSize(5);
        long[] expiry = r.nanos(FleetScaleSimulation.Kind.EXPIRY);
        assertThat(expiry).hasSize(1);
        assertThat(expiry[0]).as("gone no sooner than its TTL").isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(1));
        // The changes came and went: each follower ends with exactly the servers still registered.
        assertThat(r.finalEntries()).containsOnly(20);
        assertThat(r.phases()).extracting(FleetScaleSimulation.Phase::name)
                .contains("first registrations", "5 additions and 5 removals", "1 expiries");
        // In the heartbeat phase every follower held every follower's record.
        assertThat(r.nodesSeen()).containsOnly(5);
        assertThat(r.beatsPerSecond()).isPositive();
        assertThat(r.etcdRssBytes()).isPositive();
        assertThat(FleetScaleSimulation.report(r)).contains("one new registration to every follower: p50");
    }

    @Test
    void percentileIsNearestRank() {
        long[] sorted = new long[100];
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = i + 1;
        }
        assertThat(FleetScaleSimulation.percentile(sorted, 50)).isEqualTo(50);
        assertThat(FleetScaleSimulation.percentile(sorted, 99)).isEqualTo(99);
        assertThat(FleetScaleSimulation.percentile(new long[] {7}, 99)).isEqualTo(7);
    }
}
