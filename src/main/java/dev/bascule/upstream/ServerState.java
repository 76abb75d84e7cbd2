package dev.bascule.upstream;

import dev.bascule.stats.ServerStats;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runtime state of one origin server that outlives any single snapshot: a reload or a weight change keeps
 * the same instance, so neither load nor health is reset.
 *
 * <p>Threading: load counters are written by every event loop and read by anyone; health fields are written by
 * the control thread only and read by anyone. Every field is atomic or volatile.
 */
public final class ServerState {
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Of {@link #inFlight}, those that are tunnels. */
    private final AtomicInteger tunnels = new AtomicInteger();
    private final LongAdder requests = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    /** The failures of the current run that were answers (5xx) rather than unreachability. */
    private final AtomicInteger consecutiveAnswered = new AtomicInteger();
    /**
     * Origin connections open to this server from every event loop: connecting, busy or idle in a pool. Counted
     * from the moment a connect starts until the connection closes; enforces the server's max_connections.
     */
    private final AtomicInteger openConnections = new AtomicInteger();

    /** Peak-sensitive moving average of response latency (nanoseconds); see {@link #recordLatency}. */
    private final LatencyAverage latency = new LatencyAverage();
    /** What the server answered, for metrics; kept as long as this state is. */
    private final ServerStats stats = new ServerStats();

    /** Verdict of active checks; true until probes say otherwise, so a server is routable at once. */
    private volatile boolean probeHealthy = true;
    private volatile String lastProbeProblem;
    /** Ejected by passive checks until this control-plane clock value; 0 when not ejected. */
    private volatile long ejectedUntilNanos;
    /** The ejection in force was caused by runs that included 5xx answers, not by unreachability alone. */
    private volatile boolean ejectedForAnswers;
    /**
     * How many times this server was ejected, for the growing ejection time and for metrics. Written by the control
     * thread only (so the increment needs no atomic), read by anyone.
     */
    private volatile int ejections;
    private volatile boolean draining;
    /** When the server last became routable, for slow start; 0 for "long ago". */
    private volatile long routableSinceNanos;

    /** Called by the data plane when a request is assigned to this server. */
    public void requestStarted() {
        inFlight.incrementAndGet();
        requests.increment();
    }

    /**
     * A request became a tunnel (an upgraded WebSocket): it stays in flight, for load balancing, until it closes,
     * but a removal does not wait for it. Called on the event loop, matched by {@link #tunnelClosed()}.
     */
    public void tunnelOpened() {
        tunnels.incrementAndGet();
    }

    public void tunnelClosed() {
        tunnels.decrementAndGet();
    }

    /** Open tunnels, counted in {@link #inFlight()} too. */
    public int tunnels() {
        return tunnels.get();
    }

    /** Called exactly once for every {@link #requestStarted()}, however the request ended. */
    public void requestFinished() {
        inFlight.decrementAndGet();
    }

    /**
     * Takes a connection slot before a connect starts; lock-free. Every {@code true} must be matched by exactly
     * one {@link #releaseConnection()} when that connection closes, however it closes.
     *
     * @param max the server's cap on open connections; 0 or less: none, the slot is always granted
     * @return false when {@code max} connections are open already
     */
    public boolean tryAcquireConnection(int max) {
        if (max <= 0) {
            openConnections.incrementAndGet();
            return true;
        }
        for (;;) {
            int open = openConnections.get();
            if (open >= max) {
                return false;
            }
            if (openConnections.compareAndSet(open, open + 1)) {
                return true;
            }
        }
    }

    /** Gives back the slot of a connection that closed (or failed to open). */
    public void releaseConnection() {
        openConnections.decrementAndGet();
    }

    /** Origin connections open to this server now, from every event loop. */
    public int openConnections() {
        return openConnections.get();
    }

    /**
     * Counts a failure seen on real traffic.
     *
     * @return failures in a row, this one included
     */
    public int recordFailure(AttemptFailure failure) {
        failures.increment();
        if (failure.answered()) {
            consecutiveAnswered.incrementAndGet();
        }
        return consecutiveFailures.incrementAndGet();
    }

    /** Counts a success on real traffic: the run of failures is over. */
    public void recordSuccess() {
        if (consecutiveFailures.get() != 0) { // avoids a shared-cache-line write on every success
            consecutiveFailures.set(0);
            consecutiveAnswered.set(0);
        }
    }

    /** How many failures of the current run were 5xx answers. */
    public int consecutiveAnswered() {
        return consecutiveAnswered.get();
    }

    /**
     * Records the time from sending a request to its response head.
     *
     * @param now the data plane's clock at the response head
     */
    public void recordLatency(long nanos, long now) {
        latency.record(nanos, now);
    }

    public ServerStats stats() {
        return stats;
    }

    public LatencyAverage latency() {
        return latency;
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

    public int consecutiveFailures() {
        return consecutiveFailures.get();
    }

    // ---- health, written by the control thread ----

    public boolean probeHealthy() {
        return probeHealthy;
    }

    /** @param problem why the last probe failed, or null after a pass */
    public void setProbeHealthy(boolean healthy, String problem) {
        this.probeHealthy = healthy;
        this.lastProbeProblem = problem;
    }

    public String lastProbeProblem() {
        return lastProbeProblem;
    }

    public boolean ejectedAt(long nowNanos) {
        long until = ejectedUntilNanos;
        return until != 0 && nowNanos - until < 0;
    }

    public long ejectedUntilNanos() {
        return ejectedUntilNanos;
    }

    /**
     * Ejects until {@code untilNanos} and counts the ejection; control thread only.
     *
     * @param forAnswers the run that caused it included 5xx answers
     */
    public void eject(long untilNanos, boolean forAnswers) {
        ejections++; // one writer (the control thread): a volatile read and write are enough
        ejectedForAnswers = forAnswers;
        ejectedUntilNanos = untilNanos;
        consecutiveFailures.set(0);
        consecutiveAnswered.set(0);
    }

    public void clearEjection() {
        ejectedUntilNanos = 0;
    }

    /** Whether the ejection in force (or the last one) was caused by 5xx answers. */
    public boolean ejectedForAnswers() {
        return ejectedForAnswers;
    }

    /** Ejections so far; any thread. */
    public int ejections() {
        return ejections;
    }

    public boolean draining() {
        return draining;
    }

    public void setDraining(boolean draining) {
        this.draining = draining;
    }

    public long routableSinceNanos() {
        return routableSinceNanos;
    }

    public void setRoutableSinceNanos(long nanos) {
        this.routableSinceNanos = nanos;
    }
}
