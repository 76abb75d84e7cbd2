package dev.bascule.balance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.upstream.LatencyAverage;
import dev.bascule.upstream.Server;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The latency-aware balancer: power of two choices compared by peak-EWMA latency times in-flight requests. */
class EwmaTest {

    private static Balancer ewma(List<Server> servers, long seed) {
        RandomGenerator rnd = new SplittableRandom(seed);
        return new Balancers(() -> rnd).create("ewma", servers, null);
    }

    private static int picksOf(Balancer b, Server s, int n) {
        int count = 0;
        TestContext ctx = TestContext.NONE;
        for (int i = 0; i < n; i++) {
            if (b.pick(ctx) == s) {
                count++;
            }
        }
        return count;
    }

    @Test
    void prefersTheFasterServer() {
        List<Server> servers = TestServers.weighted(1, 1, 1);
        long now = System.nanoTime();
        servers.get(0).state().latency().record(50_000_000, now); // 50 ms
        servers.get(1).state().latency().record(1_000_000, now);  // 1 ms
        servers.get(2).state().latency().record(1_000_000, now);
        int slow = picksOf(ewma(servers, 7), servers.get(0), 3000);
        // P2C never picks the worst of three unless it is drawn twice... which it cannot be: the pair is distinct.
        assertThat(slow).isZero();
    }

    @Test
    void inFlightCountsTowardCost() {
        List<Server> servers = TestServers.weighted(1, 1);
        long now = System.nanoTime();
        servers.get(0).state().latency().record(1_000_000, now);
        servers.get(1).state().latency().record(1_000_000, now);
        TestServers.inFlight(servers.get(0), 5);
        assertThat(picksOf(ewma(servers, 3), servers.get(1), 100)).isEqualTo(100);
    }

    @Test
    void slowServerThatTurnsFastWinsTrafficBack() {
        LatencyAverage avg = new LatencyAverage();
        avg.setDecayNanos(1_000_000_000L); // 1 s
        long t = 0;
        avg.record(100_000_000, t);   // a 100 ms peak is taken at once
        assertThat(avg.averageNanos(t)).isEqualTo(100_000_000);
        for (int i = 1; i <= 50; i++) {   // then 1 ms samples, 100 ms apart, over 5 s
            t += 100_000_000;
            avg.record(1_000_000, t);
        }
        assertThat(avg.averageNanos(t)).isLessThan(2_000_000);

        List<Server> servers = TestServers.weighted(1, 1);
        long now = System.nanoTime();
        for (Server s : servers) {
            s.state().latency().setDecayNanos(1_000_000_000L);
        }
        servers.get(0).state().latency().record(80_000_000, now);
        servers.get(1).state().latency().record(5_000_000, now);
        assertThat(picksOf(ewma(servers, 5), servers.get(0), 200)).isZero();
        // the slow server recovers: 0.5 ms answers, 100 ms apart, for 5 s (stamps ahead of the clock read no
        // further decay, so the averages are compared as recorded)
        for (int i = 1; i <= 50; i++) {
            servers.get(0).state().latency().record(500_000, now + i * 100_000_000L);
        }
        servers.get(1).state().latency().record(5_000_000, now + 5_000_000_000L);
        assertThat(picksOf(ewma(servers, 5), servers.get(0), 200)).isEqualTo(200);
    }

    @Test
    void peakIsTakenAtOnce() {
        LatencyAverage avg = new LatencyAverage();
        avg.record(1_000_000, 0);
        avg.record(1_000_000, 1_000_000);
        avg.record(90_000_000, 2_000_000);
        assertThat(avg.averageNanos(2_000_000)).isEqualTo(90_000_000);
    }
}
