package dev.bascule.history;

import dev.bascule.control.LiveSnapshot;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link StatsRing} fed: a daemon thread of its own samples the live snapshot's recorders every second,
 * on the wall clock's second boundaries (so the samples of two Bascules line up), and runs the readers of the ring
 * ({@link #read}) between two samples.
 *
 * <p>Threading: the ring is confined to this object's thread; {@link #read} and {@link #close} may be called from
 * any thread, event loops included (neither blocks).
 */
public final class LiveStats implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveStats.class);

    private final ScheduledExecutorService thread;
    private final StatsRing ring;
    private final Supplier<Recorders> recorders;

    private LiveStats(ScheduledExecutorService thread, StatsRing ring, Supplier<Recorders> recorders) {
        this.thread = thread;
        this.ring = ring;
        this.recorders = recorders;
    }

    /**
     * Starts sampling the recorders of whatever snapshot is live at each second.
     *
     * @param nanoTime a monotonic clock (rates)
     * @param epochMillis the wall clock (sample times, second boundaries)
     */
    public static LiveStats start(LiveSnapshot live, LongSupplier nanoTime, LongSupplier epochMillis) {
        ScheduledExecutorService thread =
                Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("bascule-stats", true));
        LiveStats stats = new LiveStats(thread, new StatsRing(StatsRing.CAPACITY, nanoTime, epochMillis),
                () -> Recorders.of(live.get()));
        // The first tick only reads the counters, so the first sample covers a whole second, not the part of one
        // between start-up and the next second boundary.
        long untilNextSecond = StatsRing.INTERVAL_MILLIS - Math.floorMod(epochMillis.getAsLong(),
                StatsRing.INTERVAL_MILLIS);
        thread.scheduleAtFixedRate(stats::tick, untilNextSecond, StatsRing.INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        return stats;
    }

    private void tick() {
        try {
            ring.sample(recorders.get());
        } catch (RuntimeException e) {
            // A failed tick must not cancel the schedule: the next second tries again.
            log.error("stats sample failed", e);
        }
    }

    /**
     * Runs {@code reader} on the ring's thread, between two samples.
     *
     * @return its result; failed with {@link RejectedExecutionException} once closed
     */
    public <T> CompletableFuture<T> read(Function<StatsRing, T> reader) {
        try {
            return CompletableFuture.supplyAsync(() -> reader.apply(ring), thread);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
