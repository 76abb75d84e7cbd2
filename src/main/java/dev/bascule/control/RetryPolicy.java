package dev.bascule.control;

/**
 * When the data plane tries a request again, in the units it uses.
 *
 * <p>Immutable.
 *
 * @param attempts tries in all, the first included
 * @param onConnectFailure retry a failed connect (always safe: nothing was sent)
 * @param onReset retry a connection reset before the response head (idempotent requests only)
 * @param on502 retry when the origin answers 502 (idempotent requests whose body is replayable)
 * @param on503 likewise for 503
 * @param on504 likewise for 504, and for Bascule's own per-try timeout
 * @param perTryTimeoutMillis response head deadline of each try; 0 means the global response_header timeout
 */
public record RetryPolicy(int attempts, boolean onConnectFailure, boolean onReset, boolean on502, boolean on503,
        boolean on504, long perTryTimeoutMillis) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(2, true, true, false, false, false, 0);

    /** Whether a response with this status may be retried. */
    public boolean retriesStatus(int status) {
        return (status == 502 && on502) || (status == 503 && on503) || (status == 504 && on504);
    }
}
