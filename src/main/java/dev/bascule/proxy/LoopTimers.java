package dev.bascule.proxy;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client connections' timers of one event loop, in one binary min-heap by deadline, woken by one task the loop
 * schedules for the earliest. A connection's timer is an index into the heap and a deadline in it: 16 bytes where
 * a task of the loop's own scheduler would be a 64-byte object, kept all the time a connection is idle.
 *
 * <p>The wake-up task is moved only when a deadline earlier than its own comes. A deadline later than it (the
 * common case: every connection's next deadline is now plus the same timeout) costs an insert into the heap and
 * no scheduling; a task that wakes early finds nothing due and sleeps until the earliest, so a connection that
 * closes leaves its timer's slot and nothing to cancel.
 *
 * <p>Threading: confined to its event loop; {@link #of} gives the loop's own, from the loop's thread.
 */
final class LoopTimers implements Runnable {
    /** A deadline holder: what the heap needs of it is where it stands in the heap. */
    interface Timer {
        /** Its place in the heap, or -1 when not armed; kept by the heap alone. */
        int timerIndex();

        void timerIndex(int index);

        /** Its deadline has come; it is no longer armed. */
        void expired();
    }

    private static final Logger log = LoggerFactory.getLogger(LoopTimers.class);
    private static final int INITIAL_CAPACITY = 16;
    /**
     * The heap gives its slots back when it empties only above this many (12 bytes each, 48 KiB in all): below, a
     * loop whose few hundred connections come and go together would reallocate and regrow its arrays every time.
     */
    private static final int KEPT_CAPACITY = 4096;
    /** The loop thread's timers; the first loop a thread asks for owns them (a real loop's thread has one). */
    private static final FastThreadLocal<LoopTimers> LOCAL = new FastThreadLocal<>();

    private final EventExecutor loop;
    private Timer[] timers = new Timer[INITIAL_CAPACITY];
    private long[] deadlines = new long[INITIAL_CAPACITY];
    private int size;
    /** The wake-up task pending, and when it wakes; null when none. */
    private ScheduledFuture<?> wakeUp;
    private long wakeUpAt;
    /** Timers found due by one wake-up, expired after they all left the heap. */
    private final ArrayList<Timer> due = new ArrayList<>();

    private LoopTimers(EventExecutor loop) {
        this.loop = loop;
    }

    /**
     * The timers of {@code loop}, called from its thread. A thread that runs one event loop (as Netty's do) gets
     * the same object each time; one that runs several in turn (test channels) gets a heap per loop it asks for
     * last, and a timer keeps the heap it was armed in.
     */
    static LoopTimers of(EventExecutor loop) {
        LoopTimers t = LOCAL.getIfExists();
        if (t == null || t.loop != loop) {
            t = new LoopTimers(loop);
            LOCAL.set(t);
        }
        return t;
    }

    long now() {
        return loop.ticker().nanoTime();
    }

    /** Makes {@code timer} expire at {@code deadline} ({@link #now()} time), in place of any deadline it had. */
    void arm(Timer timer, long deadline) {
        int i = timer.timerIndex();
        if (i < 0) {
            if (size == timers.length) {
                grow();
            }
            i = size++;
            place(timer, deadline, i);
            siftUp(i);
        } else {
            long before = deadlines[i];
            deadlines[i] = deadline;
            if (deadline - before < 0) {
                siftUp(i);
            } else {
                siftDown(i);
            }
        }
        if (wakeUp == null || deadline - wakeUpAt < 0) {
            scheduleWakeUp(deadline);
        }
    }

    /** When {@code timer} expires, if armed in this heap. */
    long deadline(Timer timer) {
        return deadlines[timer.timerIndex()];
    }

    /** Disarms {@code timer}; nothing when it is not armed. */
    void cancel(Timer timer) {
        int i = timer.timerIndex();
        if (i < 0) {
            return;
        }
        timer.timerIndex(-1);
        int last = --size;
        if (i != last) {
            place(timers[last], deadlines[last], i);
            timers[last] = null;
            siftDown(i);
            siftUp(i);
        } else {
            timers[last] = null;
        }
        if (size == 0 && timers.length > KEPT_CAPACITY) {
            timers = new Timer[INITIAL_CAPACITY]; // a burst of many connections has gone: give its slots back
            deadlines = new long[INITIAL_CAPACITY];
        }
    }

    /** Armed timers, for tests and gauges. */
    int size() {
        return size;
    }

    /** The wake-up: every timer due leaves the heap, then each is told; then it sleeps until the earliest left. */
    @Override
    public void run() {
        wakeUp = null;
        long now = now();
        while (size > 0 && deadlines[0] - now <= 0) {
            Timer t = timers[0];
            cancel(t);
            due.add(t);
        }
        for (int i = 0; i < due.size(); i++) {
            Timer t = due.get(i);
            try {
                t.expired(); // may arm itself again, or others
            } catch (RuntimeException | Error e) {
                // one owner's fault must not cost the timers due after it their expiry, as the loop's own tasks
                log.warn("a timer's expiry failed: {}", t, e);
            }
        }
        due.clear();
        if (size > 0 && wakeUp == null) {
            scheduleWakeUp(deadlines[0]);
        }
    }

    private void scheduleWakeUp(long at) {
        if (wakeUp != null) {
            wakeUp.cancel(false);
        }
        wakeUpAt = at;
        wakeUp = loop.schedule(this, Math.max(0, at - now()), TimeUnit.NANOSECONDS);
    }

    private void grow() {
        int capacity = timers.length * 2;
        timers = Arrays.copyOf(timers, capacity);
        deadlines = Arrays.copyOf(deadlines, capacity);
    }

    private void place(Timer timer, long deadline, int i) {
        timers[i] = timer;
        deadlines[i] = deadline;
        timer.timerIndex(i);
    }

    private void siftUp(int i) {
        Timer timer = timers[i];
        long deadline = deadlines[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (deadline - deadlines[parent] >= 0) {
                break;
            }
            place(timers[parent], deadlines[parent], i);
            i = parent;
        }
        place(timer, deadline, i);
    }

    private void siftDown(int i) {
        Timer timer = timers[i];
        long deadline = deadlines[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && deadlines[right] - deadlines[child] < 0) {
                child = right;
            }
            if (deadlines[child] - deadline >= 0) {
                break;
            }
            place(timers[child], deadlines[child], i);
            i = child;
        }
        place(timer, deadline, i);
    }
}
