package dev.bascule.stats;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What one route sent to one upstream took: the time from request head to the last byte of the response, and
 * the gRPC statuses of its calls. Lives as long as a route with that label and upstream is configured.
 *
 * <p>Threading: recorded on any event loop, read on any thread.
 */
public final class RouteStats {
    /** gRPC status codes 0 (OK) to 16 (UNAUTHENTICATED); any other code counts in the last slot. */
    public static final int GRPC_CODES = 17;

    private final LatencyHistogram duration = new LatencyHistogram();
    private final AtomicLongArray grpc = new AtomicLongArray(GRPC_CODES + 1);

    public void completed(long durationNanos, int grpcStatus) {
        duration.record(durationNanos);
        if (grpcStatus >= 0) {
            grpc.incrementAndGet(grpcStatus < GRPC_CODES ? grpcStatus : GRPC_CODES);
        }
    }

    public LatencyHistogram duration() {
        return duration;
    }

    /** Calls that ended with gRPC status {@code code}; {@link #GRPC_CODES} for codes outside 0 to 16. */
    public long grpc(int code) {
        return grpc.get(Math.min(code, GRPC_CODES));
    }
}
