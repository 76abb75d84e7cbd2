package dev.bascule.proxy;

import io.netty.util.concurrent.EventExecutor;

/**
 * A deadline check for one HTTP/2 stream or rate-limit wait, armed in its event loop's {@link LoopTimers} and moved
 * only when it would not fire early enough. An owner that moves its deadline forward on every request therefore
 * touches the heap for nothing per request: when the check fires early, the owner simply arms it again for the
 * current deadline. (An HTTP/1.1 connection has one timer for all its deadlines, {@link ClientTimeouts}, which
 * works the same way.)
 *
 * <p>Threading: confined to the connection's event loop.
 */
final class LazyTimer implements LoopTimers.Timer {
    private final EventExecutor executor;
    private final Runnable onCheck;
    /** The loop's timers, found when first armed (on the loop's thread). */
    private LoopTimers timers;
    private int timerIndex = -1;

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
        if (timers == null) {
            timers = LoopTimers.of(executor);
        } else if (timerIndex >= 0 && timers.deadline(this) - deadline <= 0) {
            return;
        }
        timers.arm(this, deadline);
    }

    void cancel() {
        if (timers != null) {
            timers.cancel(this);
        }
    }

    @Override
    public int timerIndex() {
        return timerIndex;
    }

    @Override
    public void timerIndex(int index) {
        timerIndex = index;
    }

    @Override
    public void expired() {
        onCheck.run();
    }
}
