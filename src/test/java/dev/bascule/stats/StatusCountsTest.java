package dev.bascule.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StatusCountsTest {

    private static Map<Integer, Long> all(StatusCounts c) {
        Map<Integer, Long> m = new TreeMap<>();
        c.forEach((count, code) -> m.put(code, count));
        return m;
    }

    @Test
    void countsEachCodeApart() {
        StatusCounts c = new StatusCounts();
        c.increment(200);
        c.increment(200);
        c.increment(404);
        c.add(503, 5);

        assertThat(all(c)).containsExactly(Map.entry(200, 2L), Map.entry(404, 1L), Map.entry(503, 5L));
        assertThat(c.get(200)).isEqualTo(2);
        assertThat(c.get(500)).isZero();
        assertThat(c.sum(500, 600)).isEqualTo(5);
        assertThat(c.total()).isEqualTo(8);
    }

    @Test
    void codesBeyondItsCapacityAreCountedAsOther() {
        StatusCounts c = new StatusCounts();
        for (int code = 100; code < 100 + StatusCounts.CAPACITY + 3; code++) {
            c.increment(code);
        }

        assertThat(all(c)).hasSize(StatusCounts.CAPACITY + 1).containsEntry(StatusCounts.OTHER, 3L);
        assertThat(c.total()).isEqualTo(StatusCounts.CAPACITY + 3);
    }

    @Test
    void threadsCountingAtOnceLoseNothing() throws Exception {
        StatusCounts c = new StatusCounts();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        int[] codes = {200, 201, 204, 301, 404, 500, 502, 503};
        for (int t = 0; t < 4; t++) {
            pool.execute(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 80_000; i++) {
                    c.increment(codes[i % codes.length]);
                }
            });
        }
        go.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        assertThat(c.total()).isEqualTo(320_000);
        for (int code : codes) {
            assertThat(c.get(code)).as("code %d", code).isEqualTo(40_000);
        }
    }
}
