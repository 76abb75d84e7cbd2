package dev.bascule.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.config.TracingConfig;
import dev.bascule.stats.RecordSink;
import dev.bascule.trace.SpanExport;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** When a config change makes a new exporter, and when it does not. No span is sent: nothing listens there. */
class TraceExportTest {
    private static final URI A = URI.create("http://127.0.0.1:9/v1/traces");
    private static final URI B = URI.create("http://127.0.0.1:9/other");

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
    private final TraceExport tracing = new TraceExport(Clock.systemUTC(), System::nanoTime);

    @AfterEach
    void stop() {
        tracing.close();
        thread.shutdownNow();
    }

    private static URI endpoint(List<RecordSink> sinks) {
        assertThat(sinks).hasSize(1);
        return ((SpanExport) sinks.get(0)).endpoint();
    }

    @Test
    void onlyAnEndpointChangeMakesANewExporter() {
        assertThat(tracing.follow(null, thread)).as("off stays off").isFalse();
        assertThat(tracing.sinks()).isEmpty();

        assertThat(tracing.follow(new TracingConfig(A, 0.01), thread)).isTrue();
        RecordSink first = tracing.sinks().get(0);
        assertThat(endpoint(tracing.sinks())).isEqualTo(A);

        assertThat(tracing.follow(new TracingConfig(A, 1), thread))
                .as("the fraction goes to the data plane in the snapshot, not to the exporter").isFalse();
        assertThat(tracing.sinks()).containsExactly(first);

        assertThat(tracing.follow(new TracingConfig(B, 1), thread)).isTrue();
        assertThat(endpoint(tracing.sinks())).isEqualTo(B);

        assertThat(tracing.follow(null, thread)).as("off").isTrue();
        assertThat(tracing.sinks()).isEmpty();
    }

    @Test
    void nothingStartsOnceClosed() {
        tracing.follow(new TracingConfig(A, 0.01), thread);
        tracing.close();
        assertThat(tracing.sinks()).isEmpty();
        assertThat(tracing.follow(new TracingConfig(B, 0.01), thread)).isFalse();
        assertThat(tracing.sinks()).isEmpty();
    }
}
