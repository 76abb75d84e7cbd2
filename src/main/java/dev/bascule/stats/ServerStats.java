package dev.bascule.stats;

import java.util.concurrent.atomic.LongAdder;

/**
 * What one server of one upstream answered, attempt by attempt: status codes, time to the response head, and
 * connections that could not be opened. Kept in the server's runtime state, so it survives reloads as long as
 * the server stays.
 *
 * <p>Threading: recorded on any event loop, read on any thread.
 */
public final class ServerStats {
    private final StatusCounts responses = new StatusCounts();
    private final LatencyHistogram responseTime = new LatencyHistogram();
    private final LongAdder connectFailures = new LongAdder();

    /** An attempt got a response head with {@code status} after {@code nanos} (request sent to head read). */
    public void answered(int status, long nanos) {
        responses.increment(status);
        responseTime.record(nanos);
    }

    public void connectFailed() {
        connectFailures.increment();
    }

    public StatusCounts responses() {
        return responses;
    }

    public LatencyHistogram responseTime() {
        return responseTime;
    }

    public long connectFailures() {
        return connectFailures.sum();
    }
}
