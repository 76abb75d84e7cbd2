package dev.bascule.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The per-server connection counter behind {@code max_connections}: {@link ServerState#tryAcquireConnection}. */
class ConnectionSlotsTest {
    @Test
    void grantsUpToTheCapThenRefusesUntilOneIsReleased() {
        ServerState s = new ServerState();
        assertThat(s.tryAcquireConnection(2)).isTrue();
        assertThat(s.tryAcquireConnection(2)).isTrue();
        assertThat(s.tryAcquireConnection(2)).isFalse();
        assertThat(s.openConnections()).isEqualTo(2);
        s.releaseConnection();
        assertThat(s.openConnections()).isEqualTo(1);
        assertThat(s.tryAcquireConnection(2)).isTrue();
        assertThat(s.tryAcquireConnection(2)).isFalse();
    }

    @Test
    void withoutACapEveryConnectionIsStillCounted() {
        ServerState s = new ServerState();
        for (int i = 0; i < 5; i++) {
            assertThat(s.tryAcquireConnection(0)).isTrue();
        }
        assertThat(s.openConnections()).isEqualTo(5);
        assertThat(s.tryAcquireConnection(5)).as("a cap set later applies to what is open").isFalse();
    }

    @Test
    void threadsRacingForSlotsNeverHoldMoreThanTheCap() throws Exception {
        ServerState s = new ServerState();
        int cap = 3;
        AtomicInteger held = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        AtomicInteger granted = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 20_000; i++) {
                    if (s.tryAcquireConnection(cap)) {
                        granted.incrementAndGet();
                        peak.accumulateAndGet(held.incrementAndGet(), Math::max);
                        held.decrementAndGet();
                        s.releaseConnection();
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        go.countDown();
        for (Thread thread : threads) {
            thread.join(20_000);
        }
        assertThat(peak.get()).isBetween(1, cap);
        assertThat(granted.get()).isPositive();
        assertThat(s.openConnections()).isZero();
    }
}
