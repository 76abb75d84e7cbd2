package dev.bascule.balance;

import static dev.bascule.balance.Picks.count;
import static dev.bascule.balance.Picks.picks;
import static dev.bascule.balance.TestServers.weighted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.bascule.upstream.Server;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class RoundRobinTest {

    @Test
    void weightsTwoToOneInterleave() {
        List<Server> s = weighted(2, 1);
        RoundRobin rr = new RoundRobin(s, null);

        assertThat(picks(rr, 6)).containsExactly(s.get(0), s.get(1), s.get(0), s.get(0), s.get(1), s.get(0));
    }

    @Test
    void followsNginxSequenceForFiveOneOne() {
        List<Server> s = weighted(5, 1, 1);
        Server a = s.get(0);
        Server b = s.get(1);
        Server c = s.get(2);
        RoundRobin rr = new RoundRobin(s, null);

        assertThat(picks(rr, 7)).containsExactly(a, a, b, a, c, a, a);
    }

    @Test
    void equalWeightsAlternate() {
        List<Server> s = weighted(1, 1, 1);
        RoundRobin rr = new RoundRobin(s, null);

        assertThat(picks(rr, 4)).containsExactly(s.get(0), s.get(1), s.get(2), s.get(0));
    }

    @Test
    void proportionsAreExactOverFullCycles() {
        List<Server> s = weighted(2, 1);
        RoundRobin rr = new RoundRobin(s, null);

        Map<Server, Integer> counts = count(picks(rr, 300));

        assertThat(counts).containsEntry(s.get(0), 200).containsEntry(s.get(1), 100);
    }

    @Test
    void weightsAreReducedByTheirGcd() {
        assertThat(new RoundRobin(weighted(200, 100), null).cycleLength()).isEqualTo(3);
    }

    @Test
    void excludedServerIsSkipped() {
        List<Server> s = weighted(2, 1);
        RoundRobin rr = new RoundRobin(s, null);
        TestContext retry = TestContext.excluding(s.get(0));

        for (int i = 0; i < 10; i++) {
            assertThat(rr.pick(retry)).isSameAs(s.get(1));
        }
    }

    @Test
    void allExcludedGivesNull() {
        List<Server> s = weighted(3, 1, 2);
        RoundRobin rr = new RoundRobin(s, null);

        assertThat(rr.pick(TestContext.excluding(s.toArray(new Server[0])))).isNull();
    }

    @Test
    void lightServerIsFoundBehindALongRunOfExcludedOnes() {
        // One server of weight 1 among heavy ones: most of the cycle is excluded positions.
        List<Server> s = weighted(1000, 1000, 1);
        RoundRobin rr = new RoundRobin(s, null);
        TestContext retry = TestContext.excluding(s.get(0), s.get(1));

        for (int i = 0; i < 50; i++) {
            assertThat(rr.pick(retry)).isSameAs(s.get(2));
        }
    }

    @Test
    void emptyPoolGivesNull() {
        assertThat(new RoundRobin(List.of(), null).pick(TestContext.NONE)).isNull();
    }

    @Test
    void rebuildCarriesThePositionOver() {
        List<Server> s = weighted(2, 1);
        RoundRobin first = new RoundRobin(s, null);
        first.pick(TestContext.NONE); // a

        RoundRobin second = new RoundRobin(s, first);

        assertThat(picks(second, 5)).containsExactly(s.get(1), s.get(0), s.get(0), s.get(1), s.get(0));
    }

    @Test
    void positionIsNotTakenFromAnotherStrategy() {
        List<Server> s = weighted(1, 1);
        RoundRobin rr = new RoundRobin(s, new LeastConn(s));

        assertThat(rr.pick(TestContext.NONE)).isSameAs(s.get(0));
    }

    @Test
    void hugeCyclesAreScaledDownKeepingProportions() {
        // Coprime weights: an unscaled cycle would hold 2,000,003 positions.
        List<Server> s = weighted(1_000_003, 1_000_000, 1);
        RoundRobin rr = new RoundRobin(s, null);
        int length = rr.cycleLength();

        assertThat(length).isLessThanOrEqualTo(RoundRobin.MAX_CYCLE + s.size());
        Map<Server, Integer> counts = count(picks(rr, length));
        assertThat(counts.get(s.get(2))).isEqualTo(1); // kept, not scaled away
        double ratio = counts.get(s.get(0)) / (double) counts.get(s.get(1));
        assertThat(ratio).isCloseTo(1.000003, offset(1e-5));
    }

    @Test
    void concurrentPicksGiveExactTotals() throws Exception {
        List<Server> s = weighted(5, 1, 1);
        RoundRobin rr = new RoundRobin(s, null);
        int threads = 4;
        int perThread = 7 * 10_000; // whole cycles overall
        AtomicIntegerArray counts = new AtomicIntegerArray(s.size());
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    int[] local = new int[s.size()];
                    for (int i = 0; i < perThread; i++) {
                        local[s.indexOf(rr.pick(TestContext.NONE))]++;
                    }
                    for (int i = 0; i < local.length; i++) {
                        counts.addAndGet(i, local[i]);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        int cycles = threads * perThread / 7;
        assertThat(counts.get(0)).isEqualTo(5 * cycles);
        assertThat(counts.get(1)).isEqualTo(cycles);
        assertThat(counts.get(2)).isEqualTo(cycles);
    }

    @Test
    void peekShowsTheNextPickWithoutTakingIt() {
        List<Server> s = weighted(2, 1);
        RoundRobin rr = new RoundRobin(s, null);

        for (int i = 0; i < 7; i++) {
            Server next = rr.peek();
            for (int look = 0; look < 5; look++) {
                assertThat(rr.peek()).isSameAs(next);
            }
            assertThat(rr.pick(TestContext.NONE)).as("pick %d", i).isSameAs(next);
        }
        assertThat(new RoundRobin(List.of(), null).peek()).isNull();
    }
}
