package dev.bascule.origin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.upstream.WaitingRoom;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-loop waiting line and the upstream-wide count, without sockets. */
class OriginWaitersTest {
    /** Free connections or slots, shared by the waiters of a test. */
    private int room;
    private final List<String> served = new ArrayList<>();
    private int idleClosings;

    /** A waiter that can go while there is room and it wants it; going takes one unit of room. */
    private final class Waiter implements OriginWaiter {
        final String name;
        boolean wantsRoom = true;
        long deadline;
        /** Set to simulate losing the room to another loop: going puts it back at the head. */
        OriginWaiters requeueInto;

        Waiter(String name) {
            this.name = name;
        }

        @Override
        public boolean canProceed() {
            return wantsRoom && room > 0;
        }

        @Override
        public void proceed() {
            if (requeueInto != null) {
                OriginWaiters into = requeueInto;
                requeueInto = null;
                into.addFirst(this);
                return;
            }
            room--;
            served.add(name);
        }

        @Override
        public long waitDeadline() {
            return deadline;
        }
    }

    private OriginWaiters waiters(OriginQueue queue, EventExecutor loop) {
        return queue.on(loop, () -> idleClosings++);
    }

    @Test
    void waitersGoFirstInFirstOutWhileThereIsRoom() {
        OriginWaiters line = waiters(OriginQueue.of(new WaitingRoom()), ImmediateEventExecutor.INSTANCE);
        for (String name : List.of("w1", "w2", "w3")) {
            assertThat(line.add(new Waiter(name), 10)).isTrue();
        }
        room = 2;
        assertThat(line.serve()).isEqualTo(2);
        assertThat(served).containsExactly("w1", "w2");
        assertThat(line.size()).isEqualTo(1);
        room = 1;
        line.serve();
        assertThat(served).containsExactly("w1", "w2", "w3");
        assertThat(line.size()).isZero();
    }

    @Test
    void aWaiterThatCannotUseTheRoomLetsTheNextOnePass() {
        OriginQueue queue = OriginQueue.of(new WaitingRoom());
        OriginWaiters line = waiters(queue, ImmediateEventExecutor.INSTANCE);
        Waiter picky = new Waiter("picky");
        picky.wantsRoom = false; // every server it may still try is full
        line.add(picky, 10);
        line.add(new Waiter("next"), 10);
        room = 1;
        line.serve();
        assertThat(served).containsExactly("next");
        assertThat(queue.length()).isEqualTo(1);
    }

    @Test
    void theSizeLimitCountsWaitersOnEveryLoop() {
        OriginQueue queue = OriginQueue.of(new WaitingRoom());
        OriginWaiters loopA = waiters(queue, new ManualLoop());
        OriginWaiters loopB = waiters(queue, new ManualLoop());
        assertThat(loopA.add(new Waiter("a1"), 2)).isTrue();
        assertThat(loopB.add(new Waiter("b1"), 2)).isTrue();
        assertThat(loopA.add(new Waiter("a2"), 2)).isFalse();
        assertThat(queue.length()).isEqualTo(2);
        assertThat(waiters(queue, new ManualLoop()).add(new Waiter("c1"), 0)).as("size 0: never waits").isFalse();
    }

    @Test
    void aWaiterThatLeavesGivesBackItsPlace() {
        OriginQueue queue = OriginQueue.of(new WaitingRoom());
        OriginWaiters line = waiters(queue, ImmediateEventExecutor.INSTANCE);
        Waiter leaving = new Waiter("leaving");
        line.add(new Waiter("stays"), 2);
        line.add(leaving, 2);
        assertThat(line.remove(leaving)).isTrue();
        assertThat(line.remove(leaving)).isFalse();
        assertThat(queue.length()).isEqualTo(1);
        assertThat(line.add(new Waiter("newcomer"), 2)).isTrue();
        room = 5;
        line.serve();
        assertThat(served).containsExactly("stays", "newcomer");
        assertThat(queue.length()).isZero();
    }

    @Test
    void aWaiterThatLostItsRoomKeepsItsPlaceAtTheHead() {
        OriginQueue queue = OriginQueue.of(new WaitingRoom());
        OriginWaiters line = waiters(queue, ImmediateEventExecutor.INSTANCE);
        Waiter unlucky = new Waiter("unlucky");
        unlucky.requeueInto = line;
        line.add(unlucky, 2);
        line.add(new Waiter("second"), 2);
        room = 1;
        assertThat(line.serve()).as("stops once a waiter found no room after all").isEqualTo(1);
        assertThat(served).isEmpty();
        assertThat(queue.length()).isEqualTo(2);
        line.serve();
        assertThat(served).containsExactly("unlucky");
    }

    @Test
    void aSearchAsksAtMostTheScanLimitFromTheHead() {
        OriginWaiters line = waiters(OriginQueue.of(new WaitingRoom()), ImmediateEventExecutor.INSTANCE);
        for (int i = 0; i < OriginWaiters.SCAN_LIMIT; i++) {
            Waiter w = new Waiter("picky" + i);
            w.wantsRoom = false;
            line.add(w, 1000);
        }
        line.add(new Waiter("behind"), 1000);
        room = 1;
        assertThat(line.serve()).isZero();
        assertThat(served).isEmpty();
    }

    @Test
    void wakeUpsBeforeTheTaskRunsShareOneTask() {
        OriginQueue queue = OriginQueue.of(new WaitingRoom());
        ManualLoop loop = new ManualLoop();
        OriginWaiters line = waiters(queue, loop);
        line.add(new Waiter("w"), 5);
        line.wake();
        line.wake();
        assertThat(loop.tasks).hasSize(1);
        room = 1;
        loop.runAll();
        assertThat(served).containsExactly("w");
        line.wake();
        assertThat(loop.tasks).as("a new wake-up after the task ran").hasSize(1);
    }

    @Test
    void aWakeUpClosesIdleConnectionsHereWhileRequestsWaitElsewhere() {
        OriginQueue queue = OriginQueue.of(new WaitingRoom());
        ManualLoop here = new ManualLoop();
        ManualLoop there = new ManualLoop();
        OriginWaiters idleLoop = waiters(queue, here);
        OriginWaiters busyLoop = waiters(queue, there);
        busyLoop.add(new Waiter("elsewhere"), 5);
        queue.waiterAdded(busyLoop);
        assertThat(there.tasks).as("the adding loop is not woken by its own waiter").isEmpty();
        here.runAll();
        assertThat(idleClosings).isEqualTo(1);
        assertThat(idleLoop.size()).isZero();
    }

    @Test
    void theLoopWhoseFirstWaiterWaitedClearlyLongerIsFound() {
        OriginQueue queue = OriginQueue.of(new WaitingRoom());
        OriginWaiters a = waiters(queue, new ManualLoop());
        OriginWaiters b = waiters(queue, new ManualLoop());
        OriginWaiters c = waiters(queue, new ManualLoop());
        long lag = OriginQueue.HAND_OFF_LAG_NANOS;
        Waiter wa = new Waiter("a");
        wa.deadline = 10 * lag;
        a.add(wa, 10);
        Waiter wb = new Waiter("b");
        wb.deadline = 10 * lag - lag / 2; // sooner, but not by enough to move a connection
        b.add(wb, 10);
        assertThat(queue.waitingLonger(a)).isNull();
        Waiter wc = new Waiter("c");
        wc.deadline = 8 * lag;
        c.add(wc, 10);
        assertThat(queue.waitingLonger(a)).isSameAs(c);
        assertThat(queue.waitingLonger(c)).isNull();
        assertThat(queue.waitingLonger(null)).as("no waiters here: the one that waited longest").isSameAs(c);
    }

    /** An executor that runs its tasks only when told, to observe wake-ups. */
    private static final class ManualLoop extends io.netty.util.concurrent.AbstractEventExecutor {
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        void runAll() {
            Runnable r;
            while ((r = tasks.poll()) != null) {
                r.run();
            }
        }

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        @Override
        public boolean inEventLoop(Thread thread) {
            return true;
        }

        @Override
        public boolean isShuttingDown() {
            return false;
        }

        @Override
        public io.netty.util.concurrent.Future<?> shutdownGracefully(long quiet, long timeout,
                java.util.concurrent.TimeUnit unit) {
            return terminationFuture();
        }

        @Override
        public io.netty.util.concurrent.Future<?> terminationFuture() {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(null);
        }

        @Override
        @Deprecated
        public void shutdown() {}

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public boolean isTerminated() {
            return false;
        }

        @Override
        public boolean awaitTermination(long timeout, java.util.concurrent.TimeUnit unit) {
            return true;
        }
    }
}
