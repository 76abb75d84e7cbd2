package dev.bascule.fleet;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Predicate;

/**
 * A state every follower of {@link FleetScaleSimulation} should reach, and when each one did. Offered every view a
 * follower delivers; the first view that satisfies it counts.
 *
 * <p>Threading: offered and marked on the followers' threads, read by the simulation's; the per-follower times are
 * atomic.
 */
final class SimulationProbe {
    final String what;
    /** Tested on every view offered; null for a probe the follower marks itself. */
    final Predicate<Map<String, PrefixFollower.Entry>> reached;
    final long startNanos;
    /** Per follower: nanoseconds from the start until it got there, or 0 while it has not. */
    final AtomicLongArray seenAfter;
    final CountDownLatch all;

    SimulationProbe(String what, Predicate<Map<String, PrefixFollower.Entry>> reached, int watchers,
            long startNanos) {
        this.what = what;
        this.reached = reached;
        this.startNanos = startNanos;
        this.seenAfter = new AtomicLongArray(watchers);
        this.all = new CountDownLatch(watchers);
    }

    void offer(int watcher, Map<String, PrefixFollower.Entry> view) {
        if (reached != null && seenAfter.get(watcher) == 0 && reached.test(view)) {
            mark(watcher);
        }
    }

    /** The follower got there now (the first time counts). */
    void mark(int watcher) {
        if (seenAfter.compareAndSet(watcher, 0, Math.max(1, System.nanoTime() - startNanos))) {
            all.countDown();
        }
    }

    FleetScaleSimulation.ProbeResult result(FleetScaleSimulation.Kind kind) {
        long last = 0;
        int seen = 0;
        for (int i = 0; i < seenAfter.length(); i++) {
            long t = seenAfter.get(i);
            if (t != 0) {
                seen++;
                last = Math.max(last, t);
            }
        }
        return new FleetScaleSimulation.ProbeResult(kind, what, last, seen);
    }
}
