package dev.bascule.metrics;

import dev.bascule.control.LiveSnapshot;
import dev.bascule.control.ReloadCounter;
import dev.bascule.stats.StatsRegistry;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.LongSupplier;

/**
 * Bascule's metrics in the Prometheus formats: a registry of collectors that read the running state when scraped
 * ({@link ServerMetrics}, {@link ConfigMetrics}, {@link RequestMetrics}), plus the process-wide JVM metrics of
 * {@link JvmRegistry}. Request counters are
 * recorded by exchange events into lock-free recorders; formatting happens only when scraped.
 *
 * <p>Threading: {@link #scrape} and {@link #expose} may be called from any thread, several at once. A scrape
 * reads volatile references and atomics, but the JVM metrics read {@code /proc} and the threads' states: call it
 * off the event loops.
 */
public final class Metrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ExpositionFormats formats = ExpositionFormats.init();

    /**
     * @param live the snapshot servers, upstreams, routes, listeners and the config version are read from
     * @param nanoTime the control plane's clock, which a server's ejection is compared with
     * @param reloads the control plane's count of reloads by outcome
     * @param stats the control plane's long-lived counters (local answers by reason, access log lines lost)
     */
    public Metrics(LiveSnapshot live, LongSupplier nanoTime, ReloadCounter reloads, StatsRegistry stats) {
        ServerMetrics.register(registry, live, nanoTime);
        ConfigMetrics.register(registry, live, reloads);
        RequestMetrics.register(registry, live, stats);
        MirrorMetrics.register(registry, live);
        ReleaseMetrics.register(registry, live, stats.rollouts());
        CounterWithCallback.builder()
                .name("bascule_access_log_dropped_total")
                .help("Access log lines lost: the writer fell behind (every slot of its queue taken) or could not write")
                .callback(cb -> cb.call(stats.accessLogDropped().get()))
                .register(registry);
        CounterWithCallback.builder()
                .name("bascule_rate_limit_fallback_total")
                .help("Requests whose global rate limit was decided locally, on this instance's share of the limit,"
                        + " because Redis did not answer within redis.timeout, failed, or was out")
                .callback(cb -> cb.call(stats.rateLimitFallbacks().sum()))
                .register(registry);
    }

    /** Every metric as it is now: Bascule's own, then the JVM's and the process's. */
    public MetricSnapshots scrape() {
        MetricSnapshots.Builder all = MetricSnapshots.builder();
        for (MetricSnapshot s : registry.scrape()) {
            all.metricSnapshot(s);
        }
        for (MetricSnapshot s : JvmRegistry.get().scrape()) {
            all.metricSnapshot(s);
        }
        return all.build();
    }

    /**
     * Scrapes and formats in the format {@code accept} asks for: OpenMetrics 1.0 for {@code
     * application/openmetrics-text}, else the Prometheus text format 0.0.4 (also for a scraper that prefers
     * protobuf, which this build does not write).
     *
     * @param accept the scraper's {@code Accept} header, or null
     */
    public Exposition expose(String accept) {
        ExpositionFormatWriter writer = formats.findWriter(accept);
        if (!writer.isAvailable()) { // protobuf asked for first: its writer is a module Bascule does not ship
            writer = formats.getPrometheusTextFormatWriter();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, scrape(), EscapingScheme.fromAcceptHeader(accept));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return new Exposition(writer.getContentType(), out.toByteArray());
    }
}
