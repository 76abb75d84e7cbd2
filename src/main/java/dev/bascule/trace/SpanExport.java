package dev.bascule.trace;

import dev.bascule.stats.ExchangeRecord;
import dev.bascule.stats.RecordSink;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Sends a SERVER span for each sampled request to an OpenTelemetry collector over OTLP/HTTP. On the event loop,
 * {@link #accept} returns at once for a request that is not sampled; for a sampled one it copies the record into
 * a {@link FinishedSpan} and offers it to the SDK's {@link BatchSpanProcessor}, whose lock-free queue hands it to
 * the processor's own thread, where it is encoded and posted in batches. A full queue drops the span rather than
 * wait.
 *
 * <p>Owned by the control plane: made when a config with {@code tracing} is loaded, shut down when a reload
 * replaces it or Bascule stops. Threading: {@link #accept} from any event loop; {@link #shutdown} from the
 * control plane.
 */
public final class SpanExport implements RecordSink {
    /** How long spans wait to fill a batch; the SDK's default is 5 s, shorter makes traces show up sooner. */
    static final Duration BATCH_DELAY = Duration.ofSeconds(1);
    static final Resource RESOURCE = Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "bascule"));

    private final URI endpoint;
    private final BatchSpanProcessor processor;
    /** Epoch nanoseconds minus the event loops' ticker, read once when made. */
    private final long epochOffsetNanos;

    private SpanExport(URI endpoint, SpanExporter exporter, long epochOffsetNanos) {
        this.endpoint = endpoint;
        this.epochOffsetNanos = epochOffsetNanos;
        this.processor = BatchSpanProcessor.builder(exporter)
                .setScheduleDelay(BATCH_DELAY)
                .setMeterProvider(MeterProvider::noop)
                .build();
    }

    /**
     * Starts exporting to {@code endpoint}. Opens no connection yet: the first batch does.
     *
     * @param epochOffsetNanos the wall clock in epoch nanoseconds minus the event loops' ticker, now; spans are
     *     stamped with the record's ticker times plus this
     */
    public static SpanExport start(URI endpoint, long epochOffsetNanos) {
        SpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(endpoint.toString())
                .setMeterProvider(MeterProvider::noop)
                .build();
        return new SpanExport(endpoint, exporter, epochOffsetNanos);
    }

    public URI endpoint() {
        return endpoint;
    }

    @Override
    public void accept(ExchangeRecord record) {
        if (!record.traceSampled()) {
            return;
        }
        processor.onEnd(new FinishedSpan(record, epochOffsetNanos, RESOURCE));
    }

    /**
     * Exports what is queued, then stops the processor's thread and the exporter; spans offered afterwards are
     * dropped. Returns at once.
     */
    public CompletableResultCode shutdown() {
        return processor.shutdown();
    }

    /** {@link #shutdown}, waiting up to {@code timeout} for the last batch to be sent. */
    public void shutdownAndWait(Duration timeout) {
        shutdown().join(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
