package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.testing.H2cClient;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.OtlpReceiver;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.TestOrigin;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * W3C trace context through a real Bascule, and its spans at a real OTLP/HTTP receiver: passed through untouched
 * when tracing is off; with tracing on, the origin's parent is Bascule's span, and each sampled request's span
 * arrives with the client's trace id, the client's span as parent and the request's attributes.
 */
@ExtendWith(LeakGuard.class)
class TracingTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CLIENT_SPAN = "00f067aa0ba902b7";
    private static final String SAMPLED = "00-" + TRACE + "-" + CLIENT_SPAN + "-01";
    private static final String UNSAMPLED = "00-" + TRACE + "-" + CLIENT_SPAN + "-00";
    private static final Duration EXPORT_DEADLINE = Duration.ofSeconds(20);

    private TestOrigin origin;
    private OtlpReceiver receiver;
    private ProxyUnderTest proxy;

    @BeforeEach
    void origins() throws Exception {
        origin = TestOrigin.start("o1");
        receiver = OtlpReceiver.start();
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        origin.close();
        receiver.close();
    }

    private String config(String tracing) {
        return """
                listeners: [ { address: 127.0.0.1:0, protocols: [ http1, h2c ] } ]
                %s
                upstreams:
                  web: { servers: [ { address: %s } ] }
                routes:
                  - { name: shop, match: { host: blue.labs.test }, upstream: web }
                """.formatted(tracing, origin.address());
    }

    private void start(String tracing) throws Exception {
        proxy = ProxyUnderTest.start(config(tracing), 2);
    }

    private String tracing(double sample) {
        return "tracing: { otlp_endpoint: \"" + receiver.endpoint() + "\", sample: " + sample + " }";
    }

    private HttpResponse<String> get(String host, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(proxy.uri(path)).header("Host", host)
                .timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return proxy.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private TestOrigin.Recorded lastAtOrigin() {
        List<TestOrigin.Recorded> seen = origin.recorded();
        return seen.get(seen.size() - 1);
    }

    private OtlpReceiver.Received awaitSpan(String spanId) {
        await().atMost(EXPORT_DEADLINE).until(() -> receiver.spans().stream().anyMatch(s -> s.spanId().equals(spanId)));
        return receiver.spans().stream().filter(s -> s.spanId().equals(spanId)).findFirst().orElseThrow();
    }

    /** The span id in a traceparent value. */
    private static String parentOf(String traceparent) {
        return traceparent.substring(36, 52);
    }

    @Test
    void offPassesTraceContextThroughUntouched() throws Exception {
        start("");
        get("blue.labs.test", "/a", "traceparent", SAMPLED, "tracestate", "congo=t61rcWkgMzE");
        assertThat(lastAtOrigin().headers().getAll("traceparent")).containsExactly(SAMPLED);
        assertThat(lastAtOrigin().headers().getAll("tracestate")).containsExactly("congo=t61rcWkgMzE");

        get("blue.labs.test", "/a", "traceparent", "not-a-traceparent");
        assertThat(lastAtOrigin().headers().getAll("traceparent")).containsExactly("not-a-traceparent");

        get("blue.labs.test", "/a");
        assertThat(lastAtOrigin().headers().contains("traceparent")).isFalse();
    }

    @Test
    void aSampledTraceparentIsPropagatedAndExportedEvenAtSampleZero() throws Exception {
        start(tracing(0));
        HttpResponse<String> r = get("blue.labs.test", "/shop/cart?item=7", "traceparent", SAMPLED,
                "tracestate", "congo=t61rcWkgMzE", "User-Agent", "tracing-test");
        assertThat(r.statusCode()).isEqualTo(200);
        String up = lastAtOrigin().headers().get("traceparent");
        assertThat(up).startsWith("00-" + TRACE + "-").endsWith("-01").hasSize(55);
        String basculeSpan = parentOf(up);
        assertThat(basculeSpan).isNotEqualTo(CLIENT_SPAN).isNotEqualTo("0000000000000000");
        assertThat(lastAtOrigin().headers().getAll("tracestate")).containsExactly("congo=t61rcWkgMzE");

        OtlpReceiver.Received span = awaitSpan(basculeSpan);
        assertThat(span.traceId()).isEqualTo(TRACE);
        assertThat(span.parentSpanId()).isEqualTo(CLIENT_SPAN);
        assertThat(span.span().getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(span.span().getName()).isEqualTo("GET shop");
        assertThat(span.attributes()).containsAllEntriesOf(Map.of(
                "http.request.method", "GET",
                "url.path", "/shop/cart",
                "http.response.status_code", "200",
                "server.address", "blue.labs.test",
                "network.protocol.version", "1.1",
                "user_agent.original", "tracing-test",
                "bascule.route", "shop",
                "bascule.upstream", "web",
                "bascule.server", origin.address(),
                "bascule.request_id", r.headers().firstValue("x-request-id").orElseThrow()));
        long start = span.span().getStartTimeUnixNano();
        long end = span.span().getEndTimeUnixNano();
        long now = System.currentTimeMillis() * 1_000_000L;
        assertThat(end).isGreaterThanOrEqualTo(start);
        assertThat(start).as("an epoch time, near now").isBetween(now - TimeUnit.SECONDS.toNanos(30), now);
    }

    @Test
    void unsampledRequestsArePropagatedWithBasculesSpanAndNotExported() throws Exception {
        start(tracing(0));
        get("blue.labs.test", "/a", "traceparent", UNSAMPLED, "tracestate", "congo=t61rcWkgMzE");
        String up = lastAtOrigin().headers().get("traceparent");
        assertThat(up).startsWith("00-" + TRACE + "-").endsWith("-00");
        assertThat(parentOf(up)).isNotEqualTo(CLIENT_SPAN);
        String unsampledSpan = parentOf(up);

        get("blue.labs.test", "/b", "tracestate", "congo=t61rcWkgMzE");
        String fresh = lastAtOrigin().headers().get("traceparent");
        assertThat(fresh).as("a new trace, unsampled at 0").matches("00-[0-9a-f]{32}-[0-9a-f]{16}-00")
                .doesNotContain(TRACE);
        assertThat(lastAtOrigin().headers().contains("tracestate")).as("no state of another trace").isFalse();

        get("blue.labs.test", "/c", "traceparent", SAMPLED);
        OtlpReceiver.Received sampled = awaitSpan(parentOf(lastAtOrigin().headers().get("traceparent")));
        // Spans leave in the order they end, so the unsampled ones would have come first.
        assertThat(receiver.spans()).extracting(OtlpReceiver.Received::spanId)
                .containsExactly(sampled.spanId()).doesNotContain(unsampledSpan, parentOf(fresh));
    }

    @Test
    void atSampleOneEveryRequestStartsAnExportedTrace() throws Exception {
        start(tracing(1.0));
        get("red.labs.test", "/nowhere");
        HttpResponse<String> ok = get("blue.labs.test", "/a", "traceparent", "00-zzzz-invalid-01");
        String up = lastAtOrigin().headers().get("traceparent");
        assertThat(up).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01").doesNotContain("zzzz");
        OtlpReceiver.Received root = awaitSpan(parentOf(up));
        assertThat(root.traceId()).isEqualTo(up.substring(3, 35));
        assertThat(root.parentSpanId()).as("the trace starts at Bascule").isEmpty();
        assertThat(root.attributes()).containsEntry("bascule.request_id", ok.headers().firstValue("x-request-id").get());

        await().atMost(EXPORT_DEADLINE).until(() -> receiver.spans().size() == 2);
        OtlpReceiver.Received notFound = receiver.spans().stream().filter(s -> s != root && !s.spanId()
                .equals(root.spanId())).findFirst().orElseThrow();
        assertThat(notFound.span().getName()).isEqualTo("GET");
        assertThat(notFound.attributes()).containsEntry("http.response.status_code", "404")
                .containsEntry("bascule.local", "no_route").doesNotContainKey("bascule.route");
    }

    @Test
    void overHttp2() throws Exception {
        start(tracing(0));
        try (H2cClient h2 = new H2cClient(proxy.address())) {
            H2cClient.Response r = h2.get("blue.labs.test", "/a", "traceparent", SAMPLED);
            assertThat(r.status()).isEqualTo(200);
        }
        String up = lastAtOrigin().headers().get("traceparent");
        assertThat(up).startsWith("00-" + TRACE + "-").endsWith("-01");
        OtlpReceiver.Received span = awaitSpan(parentOf(up));
        assertThat(span.parentSpanId()).isEqualTo(CLIENT_SPAN);
        assertThat(span.attributes()).containsEntry("network.protocol.version", "2");
    }

    @Test
    void aReloadTurnsTracingOnAndOff() throws Exception {
        start("");
        proxy.bascule().control().reload(ProxyUnderTest.parse(config(tracing(0)))).get(10, TimeUnit.SECONDS);
        get("blue.labs.test", "/a", "traceparent", SAMPLED);
        String up = lastAtOrigin().headers().get("traceparent");
        assertThat(up).isNotEqualTo(SAMPLED).startsWith("00-" + TRACE + "-");
        awaitSpan(parentOf(up));

        proxy.bascule().control().reload(ProxyUnderTest.parse(config(""))).get(10, TimeUnit.SECONDS);
        get("blue.labs.test", "/a", "traceparent", SAMPLED);
        assertThat(lastAtOrigin().headers().get("traceparent")).isEqualTo(SAMPLED);
    }
}
