package dev.bascule.control;

import dev.bascule.config.TracingConfig;
import dev.bascule.stats.RecordSink;
import dev.bascule.trace.SpanExport;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The span exporter of the config in force: made when a config with {@code tracing} is loaded, replaced when a
 * reload changes its endpoint, shut down when a reload turns tracing off or Bascule stops. A replaced exporter
 * lingers for {@link #LINGER}, so requests that began under the previous snapshot still have their spans sent,
 * then exports what it holds and stops. The sample fraction is not here: it reaches the event loops in the
 * snapshot's {@link ProxySettings#tracing()}.
 *
 * <p>Threading: the control thread; {@link #close} may come from the thread that stops Bascule, hence the lock
 * (never taken on an event loop).
 */
final class TraceExport {
    private static final Logger log = LoggerFactory.getLogger(TraceExport.class);
    /** How long a replaced exporter keeps taking the spans of requests that were under way. */
    static final Duration LINGER = Duration.ofSeconds(30);
    /** How long stopping waits for the last batch to be sent. */
    static final Duration FLUSH_ON_STOP = Duration.ofSeconds(5);

    private final Clock clock;
    private final LongSupplier nanoTime;
    private SpanExport current;
    private final List<SpanExport> retiring = new ArrayList<>();
    private boolean closed;

    /** @param nanoTime the event loops' ticker, which exchange records are stamped with */
    TraceExport(Clock clock, LongSupplier nanoTime) {
        this.clock = clock;
        this.nanoTime = nanoTime;
    }

    /**
     * Makes the exporter match {@code config}.
     *
     * @param config null when tracing is off
     * @param thread where a replaced exporter's shutdown is scheduled
     * @return whether the exporter changed, so exchange events need new sinks
     */
    synchronized boolean follow(TracingConfig config, ScheduledExecutorService thread) {
        URI next = config == null ? null : config.otlpEndpoint();
        SpanExport old = current;
        if (closed || (old == null ? next == null : old.endpoint().equals(next))) {
            return false;
        }
        current = next == null ? null : SpanExport.start(next, epochOffsetNanos());
        if (next != null) {
            log.info("tracing: spans of sampled requests go to {}", next);
        }
        if (old != null) {
            retiring.add(old);
            thread.schedule(() -> retire(old), LINGER.toMillis(), TimeUnit.MILLISECONDS);
        }
        return true;
    }

    /** The sinks exchange events feed: the exporter, or none. */
    synchronized List<RecordSink> sinks() {
        return current == null ? List.of() : List.of(current);
    }

    private synchronized void retire(SpanExport old) {
        if (retiring.remove(old)) {
            old.shutdown();
        }
    }

    /** Sends what every exporter holds, waiting a little for it, and stops them. */
    synchronized void close() {
        closed = true;
        if (current != null) {
            retiring.add(current);
            current = null;
        }
        for (SpanExport e : retiring) {
            e.shutdownAndWait(FLUSH_ON_STOP);
        }
        retiring.clear();
    }

    /**
     * Wall-clock epoch nanoseconds minus the ticker, read once: a span's times are its record's ticker times plus
     * this, so they keep the ticker's precision and never go backwards within a span.
     */
    private long epochOffsetNanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano() - nanoTime.getAsLong();
    }
}
