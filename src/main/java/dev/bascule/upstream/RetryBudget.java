package dev.bascule.upstream;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Caps the retries of one upstream so a failing pool is not hit by a retry storm: retries may add at most
 * {@code ratio} of the requests, plus {@code floorPerSecond} retries every second whatever the traffic (like
 * Finagle's and Linkerd's retry budgets).
 *
 * <p>Threading: called from every event loop; lock-free.
 */
public final class RetryBudget {
    /** Deposits are kept in thousandths of a retry. */
    private static final long UNIT = 1000;

    private final long depositPerRequest;
    private final long maxBalance;
    private final int floorPerSecond;
    private final LongSupplier nanoTime;
    private final AtomicLong balance = new AtomicLong();
    /** The current second (nanoTime / 1e9) in the high bits' place and the floor retries used in it. */
    private final AtomicLong floorWindow = new AtomicLong();

    /**
     * @param ratio share of requests that may be retried (0.2 = 20%)
     * @param floorPerSecond retries always allowed each second
     */
    public RetryBudget(double ratio, int floorPerSecond, LongSupplier nanoTime) {
        this.depositPerRequest = Math.round(ratio * UNIT);
        this.maxBalance = Math.max(UNIT, 100 * depositPerRequest);
        this.floorPerSecond = floorPerSecond;
        this.nanoTime = nanoTime;
    }

    public static RetryBudget standard(LongSupplier nanoTime) {
        return new RetryBudget(0.2, 3, nanoTime);
    }

    /** Counts a first try; each one earns a fraction of a retry. */
    public void requestStarted() {
        long b = balance.get();
        if (b < maxBalance) { // a long quiet or successful run must not bank an unbounded number of retries
            balance.addAndGet(depositPerRequest);
        }
    }

    /** @return true when a retry may be sent now, and accounts for it */
    public boolean tryRetry() {
        long second = nanoTime.getAsLong() / 1_000_000_000L;
        for (;;) {
            long w = floorWindow.get();
            long wSecond = w >>> 8;
            long used = w & 0xff;
            if (wSecond != (second & 0x00ff_ffff_ffff_ffffL)) {
                if (floorWindow.compareAndSet(w, (second << 8) | 1)) {
                    return true;
                }
                continue;
            }
            if (used < floorPerSecond) {
                if (floorWindow.compareAndSet(w, w + 1)) {
                    return true;
                }
                continue;
            }
            break;
        }
        for (;;) {
            long b = balance.get();
            if (b < UNIT) {
                return false;
            }
            if (balance.compareAndSet(b, b - UNIT)) {
                return true;
            }
        }
    }
}
