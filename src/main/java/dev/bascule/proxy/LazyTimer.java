package dev.bascule.proxy;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A deadline check for one HTTP/2 stream or rate-limit wait that schedules a task only when none is pending early
 * enough. An owner that moves its deadline forward on every request therefore schedules (and cancels) nothing per
 * request: when the pending check fires early, the owner simply arms it again for the current deadline. (An
 * HTTP/1.1 connection has one timer for all its deadlines, {@link ClientTimeouts}, which works the same way.)
 *
 * <p>Threading: confined to the connection's event loop.
 */
final class LazyTimer {
    private final EventExecutor executor;
    private final Runnable onCheck;
    private ScheduledFuture<?> pending;
    private long pendingAt;

    LazyTimer(EventExecutor executor, Runnable onCheck) {
        this.executor = executor;
        this.onCheck = onCheck;
    }

    long now() {
        return executor.ticker().nanoTime();
    }

    /** Arms for a deadline {@code fromNowNanos} ahead and returns it (in {@link #now()} time). */
    long armIn(long fromNowNanos) {
        long deadline = now() + fromNowNanos;
        armAt(deadline);
        return deadline;
    }

    /** Makes sure {@code onCheck} runs no later than {@code deadline} (in {@link #now()} time). */
    void armAt(long deadline) {
        if (pending != null) {
            if (pendingAt - deadline <= 0) {
                return;
            }
            pending.cancel(false);
        }
        pendingAt = deadline;
        pending = executor.schedule(this::fire, Math.max(0, deadline - now()), TimeUnit.NANOSECONDS);
    }

    private void fire() {
        pending = null;
        onCheck.run();
    }

    void cancel() {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }
}
