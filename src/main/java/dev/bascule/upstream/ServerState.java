package dev.bascule.upstream;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runtime state of one origin server that outlives any single snapshot: a reload or a weight change keeps
 * the same instance, so neither load nor counters are reset.
 *
 * <p>Threading: written by every event loop (in-flight, counters) and read by the control plane; every field
 * is atomic.
 */
public final class ServerState {
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder requests = new LongAdder();
    private final LongAdder failures = new LongAdder();

    /** Called by the data plane when a request is assigned to this server. */
    public void requestStarted() {
        inFlight.incrementAndGet();
        requests.increment();
    }

    /** Called exactly once for every {@link #requestStarted()}, however the request ended. */
    public void requestFinished() {
        inFlight.decrementAndGet();
    }

    /** Counts a failure seen on real traffic (connect failure, reset, timeout). */
    public void recordFailure() {
        failures.increment();
    }

    public int inFlight() {
        return inFlight.get();
    }

    public long requests() {
        return requests.sum();
    }

    public long failures() {
        return failures.sum();
    }
}
