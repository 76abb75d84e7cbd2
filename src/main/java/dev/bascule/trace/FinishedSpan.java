package dev.bascule.trace;

import dev.bascule.stats.ExchangeRecord;
import dev.bascule.stats.LocalReason;
import dev.bascule.stats.RouteSeries;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.util.List;

/**
 * The SERVER span of one finished, sampled request: what the record said, copied when the request ended. Its ids
 * are the ones the request was given on arrival (and sent upstream), so it is made here rather than by the SDK's
 * tracer, which would pick its own. It is both the ended span the batch processor queues and the data it exports.
 *
 * <p>The event loop copies the record's fields into it and makes its span context (the ids in hex, which the
 * processor reads there to check the sampled flag); the name and attributes are built on the exporter's thread,
 * in the getters the exporter calls.
 *
 * <p>Attributes follow the OpenTelemetry HTTP server conventions ({@code http.request.method}, {@code url.path},
 * {@code http.response.status_code}, {@code server.address}, {@code network.protocol.version}, {@code
 * client.address}, {@code user_agent.original}), plus {@code bascule.route}, {@code bascule.upstream}, {@code
 * bascule.server}, {@code bascule.request_id} and {@code bascule.local} (why Bascule answered itself); a request
 * that no route matched has no {@code bascule.route} or {@code bascule.upstream}. A 5xx
 * answer has status ERROR and {@code error.type} the status code, as the conventions say for a server span; 4xx
 * are the client's errors and leave the status unset.
 *
 * <p>Immutable once made; handed from the event loop to the exporter's thread by the processor's queue.
 */
final class FinishedSpan implements ReadableSpan, SpanData {
    static final InstrumentationScopeInfo SCOPE = InstrumentationScopeInfo.create("dev.bascule");
    static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
    static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<String> PROTOCOL_VERSION = AttributeKey.stringKey("network.protocol.version");
    static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
    static final AttributeKey<String> USER_AGENT = AttributeKey.stringKey("user_agent.original");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<Long> GRPC_STATUS = AttributeKey.longKey("rpc.grpc.status_code");
    static final AttributeKey<String> ROUTE = AttributeKey.stringKey("bascule.route");
    static final AttributeKey<String> UPSTREAM = AttributeKey.stringKey("bascule.upstream");
    static final AttributeKey<String> SERVER = AttributeKey.stringKey("bascule.server");
    static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("bascule.request_id");
    static final AttributeKey<String> LOCAL = AttributeKey.stringKey("bascule.local");

    private final Resource resource;
    private final SpanContext context;
    private final SpanContext parent;
    private final long startEpochNanos;
    private final long endEpochNanos;
    private final String method;
    private final String host;
    private final String target;
    private final String protocol;
    private final String clientIp;
    private final String userAgent;
    private final String requestId;
    private final int status;
    private final LocalReason local;
    private final String route;
    private final String upstream;
    private final String server;
    private final int grpcStatus;
    /** Built on first use, on the exporter's thread; the processor reads a span from one thread at a time. */
    private Attributes attributes;

    /** @param epochOffsetNanos added to the record's event-loop times to make them epoch nanoseconds */
    FinishedSpan(ExchangeRecord r, long epochOffsetNanos, Resource resource) {
        this.resource = resource;
        this.context = SpanContext.create(TraceId.fromLongs(r.traceIdHigh(), r.traceIdLow()),
                SpanId.fromLong(r.spanId()), TraceFlags.getSampled(), TraceState.getDefault());
        this.parent = r.parentSpanId() == 0 ? SpanContext.getInvalid()
                : SpanContext.createFromRemoteParent(context.getTraceId(), SpanId.fromLong(r.parentSpanId()),
                        TraceFlags.getDefault(), TraceState.getDefault());
        this.startEpochNanos = r.startNanos() + epochOffsetNanos;
        this.endEpochNanos = r.endNanos() + epochOffsetNanos;
        this.method = r.method();
        this.host = text(r.host());
        this.target = r.target();
        this.protocol = r.protocol();
        this.clientIp = r.clientIp();
        this.userAgent = text(r.userAgent());
        this.requestId = text(r.requestId());
        this.status = r.status();
        this.local = r.local();
        RouteSeries series = r.route();
        this.route = series == null ? null : series.route();
        this.upstream = series == null ? null : series.upstream();
        this.server = r.server();
        this.grpcStatus = r.grpcStatus();
    }

    private static String text(CharSequence s) {
        return s == null ? null : s.toString();
    }

    // ---- ReadableSpan ----

    @Override
    public SpanContext getSpanContext() {
        return context;
    }

    @Override
    public SpanContext getParentSpanContext() {
        return parent;
    }

    /** {@code GET blue.labs.test}: the method and the route's label; the method alone when no route matched. */
    @Override
    public String getName() {
        String m = method == null ? "HTTP" : method;
        return route == null || route.isEmpty() ? m : m + " " + route;
    }

    @Override
    public SpanData toSpanData() {
        return this;
    }

    /** Required by both interfaces although deprecated in favour of {@link #getInstrumentationScopeInfo}. */
    @Override
    @Deprecated
    public InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
        return InstrumentationLibraryInfo.create(SCOPE.getName(), null);
    }

    @Override
    public InstrumentationScopeInfo getInstrumentationScopeInfo() {
        return SCOPE;
    }

    @Override
    public boolean hasEnded() {
        return true;
    }

    @Override
    public long getLatencyNanos() {
        return endEpochNanos - startEpochNanos;
    }

    @Override
    public SpanKind getKind() {
        return SpanKind.SERVER;
    }

    @Override
    public <T> T getAttribute(AttributeKey<T> key) {
        return getAttributes().get(key);
    }

    // ---- SpanData ----

    @Override
    public StatusData getStatus() {
        return status >= 500 ? StatusData.error() : StatusData.unset();
    }

    @Override
    public long getStartEpochNanos() {
        return startEpochNanos;
    }

    @Override
    public Attributes getAttributes() {
        Attributes a = attributes;
        if (a == null) {
            a = attributes = buildAttributes();
        }
        return a;
    }

    private Attributes buildAttributes() {
        AttributesBuilder b = Attributes.builder();
        put(b, METHOD, method);
        if (target != null) {
            int query = target.indexOf('?');
            b.put(PATH, query < 0 ? target : target.substring(0, query)); // the query may hold secrets: left out
        }
        if (status > 0) {
            b.put(STATUS, status);
        }
        put(b, SERVER_ADDRESS, hostWithoutPort(host));
        put(b, PROTOCOL_VERSION, protocolVersion(protocol));
        put(b, CLIENT_ADDRESS, clientIp);
        put(b, USER_AGENT, userAgent);
        if (status >= 500) {
            b.put(ERROR_TYPE, Integer.toString(status));
        }
        if (grpcStatus >= 0) {
            b.put(GRPC_STATUS, grpcStatus);
        }
        put(b, ROUTE, route == null || route.isEmpty() ? null : route); // "" is no route: left out
        put(b, UPSTREAM, upstream == null || upstream.isEmpty() ? null : upstream);
        put(b, SERVER, server);
        put(b, REQUEST_ID, requestId);
        put(b, LOCAL, local == null ? null : local.label());
        return b.build();
    }

    private static void put(AttributesBuilder b, AttributeKey<String> key, String value) {
        if (value != null) {
            b.put(key, value);
        }
    }

    /** {@code example.com:8080} -> {@code example.com}; {@code [::1]:80} -> {@code ::1}. */
    static String hostWithoutPort(String host) {
        if (host == null || host.isEmpty()) {
            return null;
        }
        if (host.charAt(0) == '[') {
            int close = host.indexOf(']');
            return close < 0 ? host : host.substring(1, close);
        }
        int colon = host.indexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }

    /** {@code HTTP/1.1} -> {@code 1.1}; {@code HTTP/2.0} -> {@code 2}, as the conventions write HTTP/2. */
    static String protocolVersion(String protocol) {
        if (protocol == null || !protocol.startsWith("HTTP/")) {
            return null;
        }
        String v = protocol.substring(5);
        return v.equals("2.0") ? "2" : v;
    }

    @Override
    public List<EventData> getEvents() {
        return List.of();
    }

    @Override
    public List<LinkData> getLinks() {
        return List.of();
    }

    @Override
    public long getEndEpochNanos() {
        return endEpochNanos;
    }

    @Override
    public int getTotalRecordedEvents() {
        return 0;
    }

    @Override
    public int getTotalRecordedLinks() {
        return 0;
    }

    @Override
    public int getTotalAttributeCount() {
        return getAttributes().size();
    }

    @Override
    public Resource getResource() {
        return resource;
    }
}
