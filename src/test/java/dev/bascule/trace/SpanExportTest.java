package dev.bascule.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.stats.ExchangeRecord;
import dev.bascule.stats.ListenerStats;
import dev.bascule.stats.LocalReason;
import dev.bascule.stats.RouteSeries;
import dev.bascule.stats.RouteStats;
import dev.bascule.stats.StatusCounts;
import dev.bascule.testing.OtlpReceiver;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Records handed to the exporter reach a real OTLP/HTTP receiver as SERVER spans with the record's ids and times. */
class SpanExportTest {
    /** Ticker time 0 is this epoch instant, in nanoseconds. */
    private static final long EPOCH_OFFSET = 1_700_000_000_000_000_000L;

    private OtlpReceiver receiver;
    private SpanExport export;

    @BeforeEach
    void start() throws Exception {
        receiver = OtlpReceiver.start();
        export = SpanExport.start(URI.create(receiver.endpoint()), EPOCH_OFFSET);
    }

    @AfterEach
    void stop() {
        export.shutdownAndWait(Duration.ofSeconds(5));
        receiver.close();
    }

    private static RouteSeries series(String route, String upstream) {
        return new RouteSeries(route, upstream, new RouteStats(), new StatusCounts[0]);
    }

    private static ExchangeRecord record(long traceLow, long span, long parent, boolean sampled) {
        return new ExchangeRecord().begin(ListenerStats.detached("public"), "10.0.0.7", 5_000_000)
                .request("GET", "blue.labs.test:8080", "/shop/cart?session=secret", "HTTP/1.1", "curl/8", null)
                .requestId("req-1")
                .route(series("blue.labs.test", "web-blue"))
                .attempt("127.0.0.1:9001")
                .trace(0x4bf92f3577b34da6L, traceLow, span, parent, sampled)
                .status(200, null)
                .end(17_000_000, 0);
    }

    @Test
    void aSampledRequestBecomesAServerSpan() {
        ExchangeRecord r = record(0xa3ce929d0e0e4736L, 0x1111222233334444L, 0x00f067aa0ba902b7L, true);
        export.accept(r);
        r.begin(ListenerStats.detached("public"), "10.0.0.8", 0); // the record is reused: the span has its copy

        await().atMost(Duration.ofSeconds(15)).until(() -> !receiver.spans().isEmpty());
        OtlpReceiver.Received got = receiver.spans().get(0);
        Span span = got.span();
        assertThat(got.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(got.spanId()).isEqualTo("1111222233334444");
        assertThat(got.parentSpanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(span.getName()).isEqualTo("GET blue.labs.test");
        assertThat(span.getStartTimeUnixNano()).isEqualTo(EPOCH_OFFSET + 5_000_000);
        assertThat(span.getEndTimeUnixNano()).isEqualTo(EPOCH_OFFSET + 17_000_000);
        assertThat(span.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_UNSET);
        assertThat(got.attributes()).containsAllEntriesOf(Map.of(
                "http.request.method", "GET",
                "url.path", "/shop/cart",
                "http.response.status_code", "200",
                "server.address", "blue.labs.test",
                "network.protocol.version", "1.1",
                "client.address", "10.0.0.7",
                "bascule.route", "blue.labs.test",
                "bascule.upstream", "web-blue",
                "bascule.server", "127.0.0.1:9001",
                "bascule.request_id", "req-1"));
        assertThat(got.attributes()).doesNotContainKeys("error.type", "bascule.local");
        assertThat(got.resourceAttributes()).containsEntry("service.name", "bascule");
        assertThat(receiver.contentTypes()).allMatch(t -> t.startsWith("application/x-protobuf"));
    }

    @Test
    void aLocal5xxIsAnErrorAndARootSpanHasNoParent() {
        ExchangeRecord r = record(0x77L, 0x99L, 0, true).status(503, LocalReason.NO_SERVER);
        export.accept(r);
        await().atMost(Duration.ofSeconds(15)).until(() -> !receiver.spans().isEmpty());
        OtlpReceiver.Received got = receiver.spans().get(0);
        assertThat(got.parentSpanId()).isEmpty();
        assertThat(got.span().getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
        assertThat(got.attributes()).containsEntry("error.type", "503").containsEntry("bascule.local", "no_server")
                .containsEntry("http.response.status_code", "503");
    }

    @Test
    void anUnsampledRequestIsNotExported() {
        export.accept(record(0x01L, 0x02L, 0x03L, false));
        export.accept(record(0x0aL, 0x0bL, 0x0cL, true));
        await().atMost(Duration.ofSeconds(15)).until(() -> !receiver.spans().isEmpty());
        export.shutdownAndWait(Duration.ofSeconds(5)); // whatever was queued has been sent
        assertThat(receiver.spans()).extracting(OtlpReceiver.Received::spanId).containsExactly("000000000000000b");
    }

    @Test
    void hostsAndProtocolsAsTheConventionsWriteThem() {
        assertThat(FinishedSpan.hostWithoutPort("[::1]:8443")).isEqualTo("::1");
        assertThat(FinishedSpan.hostWithoutPort("example.com")).isEqualTo("example.com");
        assertThat(FinishedSpan.hostWithoutPort("")).isNull();
        assertThat(FinishedSpan.protocolVersion("HTTP/2.0")).isEqualTo("2");
        assertThat(FinishedSpan.protocolVersion("HTTP/1.0")).isEqualTo("1.0");
        assertThat(FinishedSpan.protocolVersion(null)).isNull();
    }
}
