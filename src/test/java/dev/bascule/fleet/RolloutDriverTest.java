package dev.bascule.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.state.ReleaseState;
import dev.bascule.state.StateStoreException;
import dev.bascule.testing.EtcdProcess;
import io.etcd.jetcd.Client;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rollout driver's election and the fence on its writes, against a real etcd: exactly one of two candidates
 * drives; when its lease is gone (as when it died or lost etcd), the other takes over, and a late write of the old
 * driver, made as if it still believed it drove, fails in etcd rather than overwriting the new driver's.
 */
class RolloutDriverTest {
    private EtcdProcess etcd;
    private Client a;
    private Client b;
    private final ScheduledExecutorService threadA = Executors.newSingleThreadScheduledExecutor();
    private final ScheduledExecutorService threadB = Executors.newSingleThreadScheduledExecutor();

    @BeforeEach
    void start() throws Exception {
        etcd = EtcdProcess.start();
        a = Client.builder().endpoints(etcd.endpoint()).build();
        b = Client.builder().endpoints(etcd.endpoint()).build();
    }

    @AfterEach
    void stop() throws Exception {
        threadA.shutdownNow();
        threadB.shutdownNow();
        a.close();
        b.close();
        etcd.close();
    }

    @Test
    void aDeposedDriversLateWriteFailsInEtcd() throws Exception {
        RolloutDriver driverA = new RolloutDriver(a, "/bascule/t/rollout-driver", "a", threadA, "t");
        driverA.start();
        await().atMost(Duration.ofSeconds(5)).until(driverA::drives);
        RolloutDriver driverB = new RolloutDriver(b, "/bascule/t/rollout-driver", "b", threadB, "t");
        driverB.start();
        EtcdSharedState stateA = new EtcdSharedState(a, "/bascule/t/state", driverA, Clock.systemUTC());
        EtcdSharedState stateB = new EtcdSharedState(b, "/bascule/t/state", driverB, Clock.systemUTC());
        long v1 = stateA.write(0, ReleaseState.EMPTY, true).get(5, TimeUnit.SECONDS);
        assertThat(driverB.drives()).as("one driver at a time").isFalse();

        // A's fence as it holds it, then A's lease taken away: as when A was cut off for longer than its lease.
        RolloutDriver.Fence stale = driverA.fence();
        threadA.shutdownNow(); // A renews nothing more
        a.getLeaseClient().revoke(leaseOf(a, stale)).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(8)).until(driverB::drives);
        long v2 = stateB.write(v1, ReleaseState.EMPTY, true).get(5, TimeUnit.SECONDS);
        assertThat(v2).isGreaterThan(v1);

        // A's late write, conditioned on its old fence and even on the current version, fails.
        EtcdSharedState lateA = new EtcdSharedState(a, "/bascule/t/state", new FixedFence(stale), Clock.systemUTC());
        try {
            lateA.write(v2, ReleaseState.EMPTY, true).get(5, TimeUnit.SECONDS);
            throw new AssertionError("a deposed driver's write went through");
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(StateStoreException.Conflict.class);
        }
        assertThat(stateB.read().get(5, TimeUnit.SECONDS).version()).isEqualTo(v2);
    }

    private static long leaseOf(Client c, RolloutDriver.Fence fence) throws Exception {
        return c.getKVClient().get(fence.key()).get(5, TimeUnit.SECONDS).getKvs().get(0).getLease();
    }

    /** A driver that still believes it drives with the fence it once won. */
    private static final class FixedFence extends RolloutDriver {
        private final Fence fence;

        FixedFence(Fence fence) {
            super(null, "/unused", "late", null, "t");
            this.fence = fence;
        }

        @Override
        Fence fence() {
            return fence;
        }

        @Override
        boolean drives() {
            return true;
        }
    }
}
