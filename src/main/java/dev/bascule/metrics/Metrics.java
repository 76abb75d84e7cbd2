package dev.bascule.metrics;

import dev.bascule.control.LiveSnapshot;
import dev.bascule.control.ReloadCounter;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Bascule's metrics in the Prometheus formats: a registry of collectors that read the running state when scraped
 * ({@link ServerMetrics}, {@link ConfigMetrics}, open client connections), plus the process-wide JVM metrics of
 * {@link JvmRegistry}. Nothing is recorded between scrapes, so an idle scraper costs nothing; request counters
 * will be fed by exchange events.
 *
 * <p>Threading: {@link #scrape} and {@link #expose} may be called from any thread, several at once. A scrape
 * reads volatile references and atomics, but the JVM metrics read {@code /proc} and the threads' states: call it
 * off the event loops.
 */
public final class Metrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ExpositionFormats formats = ExpositionFormats.init();

    /**
     * @param live the snapshot servers, upstreams and the config version are read from
     * @param nanoTime the control plane's clock, which a server's ejection is compared with
     * @param reloads the control plane's count of reloads by outcome
     * @param clientConnections open client connections by listener name, computed when called (once per scrape)
     * @param accessLogDropped access log lines lost so far
     */
    public Metrics(LiveSnapshot live, LongSupplier nanoTime, ReloadCounter reloads,
            Supplier<Map<String, Integer>> clientConnections, LongSupplier accessLogDropped) {
        ServerMetrics.register(registry, live, nanoTime);
        ConfigMetrics.register(registry, live, reloads);
        GaugeWithCallback.builder()
                .name("bascule_client_connections_open")
                .help("Client connections open now, by listener")
                .labelNames("listener")
                .callback(cb -> clientConnections.get().forEach((listener, open) -> cb.call(open, listener)))
                .register(registry);
        CounterWithCallback.builder()
                .name("bascule_access_log_dropped_total")
                .help("Access log lines lost: the writer fell behind (every slot of its queue taken) or could not write")
                .callback(cb -> cb.call(accessLogDropped.getAsLong()))
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
