package dev.bascule.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An event loop's connection timers on frozen time: they expire in deadline order, once each, a cancelled or moved
 * one as its last arming says, and the loop's one wake-up task moves only for an earlier deadline.
 */
class LoopTimersTest {
    private final EmbeddedChannel ch = new EmbeddedChannel();
    private final List<Probe> expired = new ArrayList<>();
    private final LoopTimers timers;

    LoopTimersTest() {
        ch.freezeTime();
        timers = LoopTimers.of(ch.eventLoop());
    }

    @AfterEach
    void close() {
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    private class Probe implements LoopTimers.Timer {
        final int id;
        private int index = -1;

        Probe(int id) {
            this.id = id;
        }

        @Override
        public int timerIndex() {
            return index;
        }

        @Override
        public void timerIndex(int index) {
            this.index = index;
        }

        @Override
        public void expired() {
            expired.add(this);
        }

        @Override
        public String toString() {
            return "probe " + id;
        }
    }

    private long at(long millis) {
        return timers.now() + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    private void advance(long millis) {
        ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
    }

    @Test
    void timersExpireInDeadlineOrderOnceEach() {
        Probe a = new Probe(1);
        Probe b = new Probe(2);
        Probe c = new Probe(3);
        timers.arm(c, at(300));
        timers.arm(a, at(100));
        timers.arm(b, at(200));

        advance(99);
        assertThat(expired).isEmpty();
        advance(1);
        assertThat(expired).containsExactly(a);
        advance(250);
        assertThat(expired).containsExactly(a, b, c);
        advance(10_000);
        assertThat(expired).as("once each").hasSize(3);
        assertThat(timers.size()).isZero();
        assertThat(a.timerIndex()).isEqualTo(-1);
    }

    @Test
    void aCancelledTimerNeverExpiresAndAMovedOneExpiresAtItsLastDeadline() {
        Probe a = new Probe(1);
        Probe b = new Probe(2);
        timers.arm(a, at(100));
        timers.arm(b, at(200));

        timers.cancel(a);
        timers.arm(b, at(500)); // later
        advance(400);
        assertThat(expired).isEmpty();
        timers.arm(b, at(50)); // earlier again
        advance(50);

        assertThat(expired).containsExactly(b);
        timers.cancel(b); // not armed any more: nothing happens
        assertThat(timers.size()).isZero();
    }

    @Test
    void theWakeUpMovesOnlyForAnEarlierDeadline() {
        timers.arm(new Probe(1), at(1_000));
        assertThat(ch.runScheduledPendingTasks()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(1_000));

        for (int i = 2; i < 100; i++) {
            timers.arm(new Probe(i), at(1_000 + i));
        }
        assertThat(ch.runScheduledPendingTasks()).as("later deadlines leave the wake-up where it is")
                .isEqualTo(TimeUnit.MILLISECONDS.toNanos(1_000));

        timers.arm(new Probe(100), at(10));
        assertThat(ch.runScheduledPendingTasks()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(10));
        advance(10);
        assertThat(expired).hasSize(1);
        assertThat(ch.runScheduledPendingTasks()).as("then it sleeps until the earliest left")
                .isEqualTo(TimeUnit.MILLISECONDS.toNanos(990));
    }

    @Test
    void aTimerArmedAgainWhileExpiringExpiresAgainByItsNewDeadline() {
        Probe again = new Probe(1) {
            @Override
            public void expired() {
                super.expired();
                if (expired.size() < 3) {
                    timers.arm(this, timers.now()); // due at once: a wake-up of its own, after this one
                }
            }
        };
        timers.arm(again, at(100));

        advance(100);

        assertThat(expired).containsExactly(again, again, again);
        assertThat(timers.size()).isZero();
    }

    /** Random arms, moves and cancels against a sorted map: the same timers expire, in the same order. */
    @Test
    void heapOrderMatchesASortedModelUnderRandomChurn() {
        Random random = new Random(20261201);
        List<Probe> probes = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            probes.add(new Probe(i));
        }
        TreeMap<Long, Probe> model = new TreeMap<>();
        for (int step = 0; step < 20_000; step++) {
            Probe p = probes.get(random.nextInt(probes.size()));
            if (random.nextInt(4) == 0) {
                timers.cancel(p);
                if (p.timerIndex() == -1) {
                    model.values().remove(p);
                }
            } else {
                // distinct deadlines (a step's nanoseconds on whole milliseconds), so the model's order is the only one
                long deadline = at(1 + random.nextInt(60_000)) + step;
                model.values().remove(p);
                timers.arm(p, deadline);
                model.put(deadline, p);
            }
        }
        assertThat(timers.size()).isEqualTo(model.size());

        advance(70_000);

        assertThat(expired).containsExactlyElementsOf(model.values());
        assertThat(timers.size()).isZero();
    }
}
