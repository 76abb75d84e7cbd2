package dev.bascule.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.control.ProxySettings;
import dev.bascule.stats.ExchangeRecord;
import dev.bascule.stats.ListenerStats;
import dev.bascule.trace.RequestIds;
import dev.bascule.trace.Sampler;
import dev.bascule.trace.TraceParent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The three header steps of {@link RequestTracing}, on plain headers with seeded randomness. */
class RequestTracingTest {
    static final String PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    static final String UNSAMPLED_PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";

    private final SplittableRandom random = new SplittableRandom(42);
    private final ExchangeRecord record = new ExchangeRecord();

    static ProxySettings settings(boolean requestIds, Sampler tracing) {
        ProxySettings s = RequestProbe.SETTINGS;
        return new ProxySettings(s.origin(), s.responseHeaderTimeoutMillis(), s.clientIdleMillis(), s.maxUriLength(),
                s.maxHeaderSize(), s.clientHeaderTimeoutMillis(), s.clientBodyIdleMillis(), s.maxHeaderCount(),
                s.maxConnections(), s.maxConnectionsPerIp(), s.trustedProxies(), s.shutdownGraceMillis(), s.via(),
                s.underscoreHeaders(), s.h2MaxConcurrentStreams(), s.tunnelIdleMillis(), s.streamIdleMillis(),
                requestIds, tracing);
    }

    /** Runs a request with {@code headers} through the three steps; returns what went upstream. */
    private HttpHeaders through(ProxySettings settings, HttpHeaders headers) {
        record.begin(ListenerStats.detached("l"), "127.0.0.1", 0);
        RequestTracing.begin(headers, settings, record, random);
        RequestTracing.toUpstream(headers, settings, record);
        return headers;
    }

    private HttpHeaders toClient() {
        HttpHeaders response = new DefaultHttpHeaders().add("x-request-id", "the-origin-says-otherwise");
        RequestTracing.toClient(response, record);
        return response;
    }

    @Test
    void anIdIsMadeWhenAbsentAndSentBothWays() {
        HttpHeaders up = through(settings(true, null), new DefaultHttpHeaders());
        String id = up.get("x-request-id");
        assertThat(id).matches("[0-9a-f]{32}");
        assertThat(record.requestId().toString()).isEqualTo(id);
        assertThat(toClient().getAll("x-request-id")).containsExactly(id);
    }

    @Test
    void madeIdsDiffer() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            ids.add(through(settings(true, null), new DefaultHttpHeaders()).get("x-request-id"));
        }
        assertThat(ids).hasSize(1000);
    }

    @Test
    void aValidClientIdIsKept() {
        HttpHeaders up = through(settings(true, null), new DefaultHttpHeaders().add("X-Request-Id", "client:42.a_b-C"));
        assertThat(up.getAll("x-request-id")).containsExactly("client:42.a_b-C");
        assertThat(toClient().getAll("x-request-id")).containsExactly("client:42.a_b-C");
    }

    @Test
    void anInvalidClientIdIsReplaced() {
        for (String bad : new String[] {"", "two words", "x".repeat(129), "a,b", "<script>"}) {
            HttpHeaders up = through(settings(true, null), new DefaultHttpHeaders().add("X-Request-Id", bad));
            assertThat(up.getAll("x-request-id")).as(bad).hasSize(1);
            assertThat(up.get("x-request-id")).as(bad).matches("[0-9a-f]{32}");
            assertThat(toClient().get("x-request-id")).isEqualTo(up.get("x-request-id"));
        }
    }

    @Test
    void requestIdsOffLeaveTheHeaderAlone() {
        HttpHeaders up = through(settings(false, null), new DefaultHttpHeaders().add("X-Request-Id", "two words"));
        assertThat(up.getAll("x-request-id")).containsExactly("two words");
        assertThat(record.requestId()).isNull();
        assertThat(toClient().getAll("x-request-id")).containsExactly("the-origin-says-otherwise");
        assertThat(through(settings(false, null), new DefaultHttpHeaders()).contains("x-request-id")).isFalse();
    }

    @Test
    void tracingOffPassesTraceContextThroughUntouched() {
        HttpHeaders up = through(settings(true, null), new DefaultHttpHeaders()
                .add("traceparent", "garbage").add("tracestate", "congo=t61rcWkgMzE"));
        assertThat(up.getAll("traceparent")).containsExactly("garbage");
        assertThat(up.getAll("tracestate")).containsExactly("congo=t61rcWkgMzE");
        assertThat(record.traceIdLow()).isZero();
        assertThat(through(settings(true, null), new DefaultHttpHeaders()).contains("traceparent")).isFalse();
    }

    @Test
    void aValidTraceparentKeepsItsTraceAndGetsBasculesSpanAsParent() {
        HttpHeaders up = through(settings(true, new Sampler(0)), new DefaultHttpHeaders()
                .add("traceparent", PARENT).add("tracestate", "congo=t61rcWkgMzE"));
        String sent = up.get("traceparent");
        assertThat(TraceParent.isValid(sent)).isTrue();
        assertThat(sent).startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-").endsWith("-01");
        assertThat(TraceParent.parentId(sent)).isNotEqualTo(0x00f067aa0ba902b7L).isEqualTo(record.spanId());
        assertThat(up.getAll("tracestate")).containsExactly("congo=t61rcWkgMzE");
        assertThat(record.parentSpanId()).isEqualTo(0x00f067aa0ba902b7L);
        assertThat(record.traceIdHigh()).isEqualTo(0x4bf92f3577b34da6L);
        assertThat(record.traceIdLow()).isEqualTo(0xa3ce929d0e0e4736L);
        assertThat(record.traceSampled()).as("a sampled caller is honoured at sample 0").isTrue();
    }

    @Test
    void anUnsampledRequestIsStillPropagatedWithBasculesSpanAndFlags00() {
        HttpHeaders up = through(settings(true, new Sampler(0)),
                new DefaultHttpHeaders().add("traceparent", UNSAMPLED_PARENT));
        String sent = up.get("traceparent");
        assertThat(sent).startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-").endsWith("-00");
        assertThat(TraceParent.parentId(sent)).isEqualTo(record.spanId()).isNotEqualTo(0x00f067aa0ba902b7L);
        assertThat(record.traceSampled()).isFalse();

        up = through(settings(true, new Sampler(0)), new DefaultHttpHeaders());
        assertThat(TraceParent.isValid(up.get("traceparent"))).isTrue();
        assertThat(up.get("traceparent")).endsWith("-00");
    }

    @Test
    void anUnsampledCallerIsSampledAtTheFraction() {
        HttpHeaders up = through(settings(true, new Sampler(1)),
                new DefaultHttpHeaders().add("traceparent", UNSAMPLED_PARENT));
        assertThat(up.get("traceparent")).endsWith("-01");
        assertThat(record.traceSampled()).isTrue();
    }

    @Test
    void noOrAnInvalidTraceparentStartsANewTraceAndDropsTracestate() {
        for (String bad : new String[] {null, "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"}) {
            HttpHeaders in = new DefaultHttpHeaders().add("tracestate", "congo=t61rcWkgMzE");
            if (bad != null) {
                in.add("traceparent", bad);
            }
            HttpHeaders up = through(settings(true, new Sampler(1)), in);
            String sent = up.get("traceparent");
            assertThat(TraceParent.isValid(sent)).as(String.valueOf(bad)).isTrue();
            assertThat(sent).doesNotContain("4bf92f3577b34da6a3ce929d0e0e4736").endsWith("-01");
            assertThat(up.contains("tracestate")).as("tracestate of another trace").isFalse();
            assertThat(record.parentSpanId()).isZero();
            assertThat(TraceParent.parentId(sent)).isEqualTo(record.spanId());
        }
    }

    @Test
    void twoTraceparentsAreInvalid() {
        HttpHeaders up = through(settings(true, new Sampler(0)), new DefaultHttpHeaders()
                .add("traceparent", "00-12345678901234567890123456789011-1234567890123456-01")
                .add("traceparent", "00-12345678901234567890123456789012-1234567890123456-01"));
        assertThat(up.getAll("traceparent")).hasSize(1);
        assertThat(up.get("traceparent")).doesNotContain("123456789012345678901234567890");
        assertThat(record.traceSampled()).isFalse();
    }

    @Test
    void theHeaderNameIsMatchedInAnyCase() {
        HttpHeaders up = through(settings(true, new Sampler(0)), new DefaultHttpHeaders().add("TrAcEpArEnT", PARENT));
        assertThat(up.get("traceparent")).startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-");
    }

    @Test
    void aMadeIdIsValid() {
        assertThat(RequestIds.isValid(RequestTracing.newRequestId(random))).isTrue();
    }
}
