package dev.bascule.stats;

/**
 * The account of one request, from its head to the last byte of its answer: who asked what, where it went, what
 * came back and how long it took. The client side fills in the request and its end; the exchange fills in the
 * upstream part. When the request is over it is handed to exchange events, whose listeners (metrics, the access
 * log, tracing) copy what they need before returning: the record is reused for the connection's next request.
 *
 * <p>Times are the data plane's clock (the event loop's ticker) in nanoseconds, except {@link #endEpochMillis}.
 * Text fields hold references to strings the request already has; filling a record allocates nothing.
 *
 * <p>Threading: written and handed on by one event loop; listeners read it during the call only.
 */
public final class ExchangeRecord {
    /** {@link #status} of a request whose client went away before its answer was sent, as nginx counts it. */
    public static final int CLIENT_CLOSED = 499;

    private ListenerStats listener;
    private String clientIp;
    private String method;
    private CharSequence host;
    private String target;
    private String protocol;
    private String tlsVersion;
    private CharSequence userAgent;
    private CharSequence referer;
    private CharSequence requestId;
    private long startNanos;
    private long endNanos;
    private long endEpochMillis;
    private long bytesIn;
    private long bytesOut;
    private int status;
    private LocalReason local;
    private RouteSeries route;
    private String server;
    private long upstreamResponseNanos;
    private int attempts;
    private int grpcStatus;
    private long traceIdHigh;
    private long traceIdLow;
    private long spanId;
    private long parentSpanId;
    private boolean traceSampled;

    /** Clears everything and starts the account of a new request at {@code startNanos}. */
    public ExchangeRecord begin(ListenerStats listener, String clientIp, long startNanos) {
        forgetText();
        this.listener = listener;
        this.clientIp = clientIp;
        this.startNanos = startNanos;
        endNanos = 0;
        endEpochMillis = 0;
        bytesIn = 0;
        bytesOut = 0;
        status = 0;
        local = null;
        route = null;
        upstreamResponseNanos = -1;
        attempts = 0;
        grpcStatus = -1;
        traceIdHigh = 0;
        traceIdLow = 0;
        spanId = 0;
        parentSpanId = 0;
        traceSampled = false;
        return this;
    }

    /**
     * Lets go of the text the record points to (the request's strings, which an idle keep-alive connection would
     * otherwise keep until its next request), once its listeners have copied what they need. The numbers stay;
     * {@link #begin} starts the next account.
     */
    public void forgetText() {
        clientIp = null;
        method = null;
        host = null;
        target = null;
        protocol = null;
        tlsVersion = null;
        userAgent = null;
        referer = null;
        requestId = null;
        server = null;
    }

    /** What the request asked; any of them may be null (a request too malformed to tell). */
    public ExchangeRecord request(String method, CharSequence host, String target, String protocol,
            CharSequence userAgent, CharSequence referer) {
        this.method = method;
        this.host = host;
        this.target = target;
        this.protocol = protocol;
        this.userAgent = userAgent;
        this.referer = referer;
        return this;
    }

    /** The client the request speaks for, once resolved (a trusted proxy's X-Forwarded-For). */
    public ExchangeRecord client(String clientIp) {
        this.clientIp = clientIp;
        return this;
    }

    public ExchangeRecord tlsVersion(String tlsVersion) {
        this.tlsVersion = tlsVersion;
        return this;
    }

    public ExchangeRecord requestId(CharSequence requestId) {
        this.requestId = requestId;
        return this;
    }

    /** The series the request counts into: its route's, or the snapshot's series for requests no route matched. */
    public ExchangeRecord route(RouteSeries route) {
        this.route = route;
        return this;
    }

    /** An attempt goes to {@code server}; the last one named is the one that answered, or failed last. */
    public ExchangeRecord attempt(String server) {
        this.server = server;
        attempts++;
        return this;
    }

    /** The upstream's response head arrived {@code nanos} after the answering attempt sent its request. */
    public ExchangeRecord upstreamResponse(long nanos) {
        this.upstreamResponseNanos = nanos;
        return this;
    }

    public ExchangeRecord grpcStatus(int grpcStatus) {
        this.grpcStatus = grpcStatus;
        return this;
    }

    /**
     * The trace this request is part of, as sent upstream; zeros when tracing is off.
     *
     * @param spanId Bascule's span, the parent of the upstream call
     * @param parentSpanId the caller's span, from its {@code traceparent}; 0 when the trace starts here
     * @param sampled a span is recorded for this request
     */
    public ExchangeRecord trace(long traceIdHigh, long traceIdLow, long spanId, long parentSpanId, boolean sampled) {
        this.traceIdHigh = traceIdHigh;
        this.traceIdLow = traceIdLow;
        this.spanId = spanId;
        this.parentSpanId = parentSpanId;
        this.traceSampled = sampled;
        return this;
    }

    public ExchangeRecord received(long bytes) {
        bytesIn += bytes;
        return this;
    }

    public ExchangeRecord sent(long bytes) {
        bytesOut += bytes;
        return this;
    }

    /** The status sent to the client; {@code local} when Bascule answered itself, else null. */
    public ExchangeRecord status(int status, LocalReason local) {
        this.status = status;
        this.local = local;
        return this;
    }

    /** Whether a status was set: an answer, local or the origin's, was chosen. */
    public boolean hasStatus() {
        return status != 0;
    }

    /** The request is over. */
    public ExchangeRecord end(long endNanos, long endEpochMillis) {
        this.endNanos = endNanos;
        this.endEpochMillis = endEpochMillis;
        return this;
    }

    public ListenerStats listener() {
        return listener;
    }

    public String clientIp() {
        return clientIp;
    }

    public String method() {
        return method;
    }

    public CharSequence host() {
        return host;
    }

    public String target() {
        return target;
    }

    /** {@code HTTP/1.1}, {@code HTTP/1.0} or {@code HTTP/2.0}. */
    public String protocol() {
        return protocol;
    }

    /** {@code TLSv1.3} and the like; null over plain TCP. */
    public String tlsVersion() {
        return tlsVersion;
    }

    public CharSequence userAgent() {
        return userAgent;
    }

    public CharSequence referer() {
        return referer;
    }

    public CharSequence requestId() {
        return requestId;
    }

    public long startNanos() {
        return startNanos;
    }

    public long endNanos() {
        return endNanos;
    }

    public long durationNanos() {
        return endNanos - startNanos;
    }

    public long endEpochMillis() {
        return endEpochMillis;
    }

    public long bytesIn() {
        return bytesIn;
    }

    public long bytesOut() {
        return bytesOut;
    }

    public int status() {
        return status;
    }

    /** Why Bascule answered itself; null when the answer is an origin's. */
    public LocalReason local() {
        return local;
    }

    /** Null only before routing; a request no route matched has the snapshot's unrouted series. */
    public RouteSeries route() {
        return route;
    }

    /** The server of the last attempt; null when none was tried. */
    public String server() {
        return server;
    }

    /** Nanoseconds to the response head of the answering attempt; -1 when no origin answered. */
    public long upstreamResponseNanos() {
        return upstreamResponseNanos;
    }

    public int attempts() {
        return attempts;
    }

    /** The gRPC status of a gRPC call; -1 for any other request, or a call that ended without one. */
    public int grpcStatus() {
        return grpcStatus;
    }

    public long traceIdHigh() {
        return traceIdHigh;
    }

    public long traceIdLow() {
        return traceIdLow;
    }

    public long spanId() {
        return spanId;
    }

    /** The caller's span id; 0 when the trace started at Bascule (or tracing is off). */
    public long parentSpanId() {
        return parentSpanId;
    }

    /** Whether a span is recorded for this request. */
    public boolean traceSampled() {
        return traceSampled;
    }
}
