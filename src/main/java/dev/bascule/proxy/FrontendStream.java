package dev.bascule.proxy;

import dev.bascule.control.RouteAction;
import dev.bascule.control.Snapshot;
import dev.bascule.origin.OriginConnector;
import dev.bascule.stats.ExchangeRecord;
import dev.bascule.stats.LocalReason;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/2 stream from a client: one request and its exchange. A plain object attached to Netty's stream by
 * {@link FrontendHttp2Connection}, which hands it the stream's frames; it turns them into the messages the
 * exchange reads (the same as from an HTTP/1 connection), and the exchange's response back into frames.
 *
 * <p>The request body is read on demand: each DATA frame waits in the stream's queue until the exchange asks for
 * more ({@link #requestMore()}), and only then goes back to HTTP/2 flow control, so a request body comes no faster
 * than the origin takes it, and a slow stream never stalls the others. The queue is bounded by the stream's
 * window. The response goes through Netty's flow controller, whose per-stream writability the exchange follows.
 *
 * <p>Threading: confined to the connection's event loop (every stream of a connection shares it).
 */
final class FrontendStream implements Downstream, GlobalCheck.Decided {
    private static final Logger log = LoggerFactory.getLogger(FrontendStream.class);
    /** What the stream was received in, for Via: HTTP/2 names its version by the major number (RFC 9113 3). */
    static final HttpVersion HTTP_2 = new HttpVersion("HTTP", 2, 0, false);

    private final FrontendHttp2Connection connection;
    private final Http2Stream stream;
    private final ChannelHandlerContext ctx;
    private final StreamFrames frames;
    /** The account of the stream's request. */
    private final ExchangeRecord record = new ExchangeRecord();
    private final Admission admission;
    private final LazyTimer deadlines;
    /** The snapshot the request was admitted under, whose events get the record; null when none is open. */
    private Snapshot recordSnapshot;
    private Exchange exchange;
    /**
     * The response head, held back until something follows it (content, a flush, the end), so that a response
     * the origin ended with its head goes out as one HEADERS frame with END_STREAM: a gRPC trailers-only
     * response (grpc-status in that one frame) must reach the client as such, not as HEADERS and then an empty
     * DATA frame ending the stream, which gRPC clients reject (gRPC over HTTP/2, "Responses").
     */
    private HttpResponse pendingHead;
    /** Request body the exchange has not asked for yet, in order; made at the first piece that has to wait. */
    private ArrayDeque<HttpContent> inbound;
    /** The exchange asked for the next piece of the body and has not had it. */
    private boolean wanted;
    /** Handing a piece to the exchange, which may ask for the next one before it returns. */
    private boolean delivering;
    /** Bytes of the forwarded request's body read so far, for its {@code max_body_size}. */
    private long bodyBytes;
    /** The request was answered (locally, or its exchange is over): what is left of its body is dropped. */
    private boolean answered;
    /** The request body was received to its end. */
    private boolean bodyComplete;
    /** Netty closed the stream (both ends done, a reset, or the connection gone): nothing more is written. */
    private boolean closed;
    /** {@code client_body_idle} in nanoseconds; 0 when it does not apply (gRPC calls have stream_idle). */
    private long bodyIdleNanos;
    /** When the stream started waiting on the client for more body ({@link LazyTimer#now()}); 0 when not. */
    private long waitingSince;
    /** Waits for the request's global rate-limit check; made when the stream needs one. */
    private GlobalCheck globalCheck;
    /** The request whose global rate limit is being checked, and its snapshot; null when none. */
    private HttpRequest checking;
    private Snapshot checkingSnapshot;

    FrontendStream(FrontendHttp2Connection connection, Http2Stream stream) {
        this.connection = connection;
        this.stream = stream;
        this.ctx = connection.context();
        this.frames = new StreamFrames(connection, stream);
        this.deadlines = new LazyTimer(ctx.executor(), this::deadlineCheck);
        this.admission = new Admission(new ClientAddress(connection.remoteAddress()));
    }

    // ---- the client's frames, from the connection ----

    /** The request's HEADERS. */
    void headers(Http2Headers headers, boolean endOfStream) {
        HttpRequest request;
        try {
            request = Http2Fields.request(headers);
        } catch (RuntimeException e) {
            // A request head that cannot be put in HTTP/1 terms is malformed (RFC 9113 8.1.1).
            log.debug("client stream {} sent a malformed request head", stream.id(), e);
            bodyComplete = endOfStream;
            answerLocally(HttpResponseStatus.BAD_REQUEST, 0);
            return;
        }
        HttpHeaders h = request.headers();
        if (endOfStream) {
            bodyComplete = true;
            queue(LastHttpContent.EMPTY_LAST_CONTENT);
        } else if (!HttpUtil.isContentLengthSet(request)) {
            h.add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED); // a body of unknown length
        }
        onRequest(request);
    }

    /** HEADERS after the request's: its trailers, which must end the stream (RFC 9113 8.1). */
    void trailers(Http2Headers headers, boolean endOfStream) {
        if (!endOfStream || bodyComplete) {
            connection.reset(stream, Http2Error.PROTOCOL_ERROR);
            return;
        }
        bodyComplete = true;
        LastHttpContent last;
        try {
            last = Http2Fields.trailers(stream.id(), headers);
        } catch (Exception e) {
            log.debug("client stream {} sent malformed trailers", stream.id(), e);
            connection.reset(stream, Http2Error.PROTOCOL_ERROR);
            return;
        }
        if (answered) {
            return;
        }
        queue(last);
    }

    /**
     * A DATA frame of the request.
     *
     * @return the bytes that may go back to flow control now: all of them when the body is dropped, else none
     *     (they go back when the exchange takes them)
     */
    int data(ByteBuf data, boolean endOfStream) {
        if (endOfStream) {
            bodyComplete = true;
        }
        if (answered) {
            return data.readableBytes();
        }
        data.retain();
        queue(endOfStream ? new DefaultLastHttpContent(data, false) : new DefaultHttpContent(data));
        return 0;
    }

    private void queue(HttpContent content) {
        if (inbound == null) {
            inbound = new ArrayDeque<>(4);
        }
        inbound.add(content);
        deliver();
    }

    /** Hands queued body to the exchange, one piece per request for more, without recursing. */
    private void deliver() {
        if (delivering) {
            return;
        }
        delivering = true;
        try {
            while (wanted && inbound != null && !inbound.isEmpty()) {
                wanted = false;
                HttpContent content = inbound.poll();
                int bytes = content.content().readableBytes();
                if (bytes > 0) {
                    connection.consumed(stream, bytes);
                }
                onContent(content);
            }
        } finally {
            delivering = false;
        }
    }

    /** Drops the body not handed on yet, and gives its bytes back to flow control. */
    private void dropInbound() {
        if (inbound == null) {
            return;
        }
        for (HttpContent content; (content = inbound.poll()) != null; ) {
            int bytes = content.content().readableBytes();
            content.release();
            if (bytes > 0 && !closed) {
                connection.consumed(stream, bytes);
            }
        }
    }

    /** Netty closed the stream: the client reset it, both ends are done, or the connection went. */
    void closed() {
        closed = true;
        deadlines.cancel();
        abandonGlobalCheck();
        dropInbound();
        connection.streamClosed();
        Exchange e = exchange;
        exchange = null;
        answered = true;
        if (e != null) {
            e.clientClosed(); // the client reset the stream or the connection went: cancel upstream
        }
        closeRecord();
    }

    /** The stream's flow-control writability changed (its window, the connection's, or the socket's). */
    void writabilityChanged() {
        Exchange e = exchange;
        if (e != null) {
            e.clientWritabilityChanged(isWritable());
        }
    }

    // ---- the request ----

    private void onRequest(HttpRequest request) {
        HttpHeaders h = request.headers();
        Snapshot snapshot = connection.live().get();
        openRecord(snapshot, request);
        if (!Http2Fields.sameHost(h)) {
            // RFC 9113 8.3.1: a host field that differs from :authority makes the request malformed.
            answerLocally(HttpResponseStatus.BAD_REQUEST, 0);
            return;
        }
        if (!HeaderRules.screenNames(h, snapshot.settings().underscoreHeaders())) {
            answerLocally(HttpResponseStatus.BAD_REQUEST, 0); // headers_with_underscores: reject
            return;
        }
        Admission.Verdict verdict = admission.admit(snapshot, request, nowNanos());
        if (verdict == Admission.Verdict.CHECK_GLOBAL) {
            recordRoute(snapshot); // a client that leaves meanwhile counts under the route
            if (globalCheck == null) {
                globalCheck = new GlobalCheck(ctx.executor(), this);
            }
            long wait = globalCheck.start(admission.globalLimit(), admission.globalKey(), nowNanos());
            if (wait == GlobalCheck.PENDING) {
                checking = request; // its body waits in the queue, unread, meanwhile
                checkingSnapshot = snapshot;
                return;
            }
            verdict = admission.afterGlobalLimit(wait);
        }
        proceed(verdict, snapshot, request);
    }

    @Override
    public void globalLimitDecided(long waitNanos) {
        HttpRequest request = checking;
        Snapshot snapshot = checkingSnapshot;
        checking = null;
        checkingSnapshot = null;
        if (request == null || closed) {
            return;
        }
        proceed(admission.afterGlobalLimit(waitNanos), snapshot, request);
    }

    /** Goes on with a request admitted (or refused) under {@code snapshot}, its rate limit decided. */
    private void proceed(Admission.Verdict verdict, Snapshot snapshot, HttpRequest request) {
        HttpHeaders h = request.headers();
        recordRoute(snapshot);
        switch (verdict) {
            case REJECT, ANSWER -> {
                if (GrpcAnswers.isGrpc(h)) {
                    int code = admission.status().code();
                    record.status(HttpResponseStatus.OK.code(), LocalReason.ofStatus(code))
                            .grpcStatus(GrpcAnswers.statusFor(admission.status()));
                    FullHttpResponse trailersOnly = GrpcAnswers.trailersOnly(admission.status());
                    RequestTracing.toClient(trailersOnly.headers(), record);
                    writeAnswer(trailersOnly);
                    closeRecord();
                } else {
                    answerLocally(admission.status(), admission.retryAfterSeconds());
                }
            }
            case REDIRECT -> redirect(admission.route().target());
            case FORWARD -> {
                RouteAction action = admission.action(); // a split route's chosen side
                bodyIdleNanos = GrpcAnswers.isGrpc(h) ? 0
                        : TimeUnit.MILLISECONDS.toNanos(snapshot.settings().clientBodyIdleMillis());
                exchange = new Exchange(this, snapshot, action, request, admission.upstreamTarget());
                exchange.start();
            }
            case CHECK_GLOBAL -> throw new IllegalStateException("a global rate limit is checked once per request");
        }
    }

    /** The client and the route (a split's side, once chosen) the record counts under. */
    private void recordRoute(Snapshot snapshot) {
        record.client(admission.client().ip())
                .route(admission.action() == null ? snapshot.unrouted() : admission.action().series());
    }

    /** The stream is going away, or answered otherwise, while its rate limit was checked: drop the check. */
    private void abandonGlobalCheck() {
        if (checking == null) {
            return;
        }
        globalCheck.cancel(); // a late answer is ignored
        checking = null;
        checkingSnapshot = null;
    }

    /** Opens the account of the stream's request ({@code null}: one too malformed to read). */
    private void openRecord(Snapshot snapshot, HttpRequest request) {
        recordSnapshot = snapshot;
        record.begin(connection.listener(), admission.client().peerIp(), nowNanos())
                .tlsVersion(connection.tlsVersion())
                .route(snapshot.unrouted());
        if (request != null) {
            HttpHeaders h = request.headers();
            record.request(request.method().name(), h.get(HttpHeaderNames.HOST), request.uri(), "HTTP/2.0",
                    h.get(HttpHeaderNames.USER_AGENT), h.get(HttpHeaderNames.REFERER));
        }
        RequestTracing.begin(request, snapshot.settings(), record);
    }

    /** The stream's answer is written (or abandoned): the record goes to the exchange events of its snapshot. */
    private void closeRecord() {
        Snapshot snapshot = recordSnapshot;
        if (snapshot == null) {
            return;
        }
        recordSnapshot = null;
        if (!record.hasStatus()) {
            record.status(ExchangeRecord.CLIENT_CLOSED, null);
        }
        record.end(nowNanos(), System.currentTimeMillis());
        snapshot.events().exchangeEnded(record);
    }

    private void onContent(HttpContent content) {
        waitingSince = 0;
        record.received(content.content().readableBytes());
        Exchange e = exchange;
        if (e == null || answered) {
            content.release();
            return;
        }
        bodyBytes += content.content().readableBytes();
        if (!admission.bodyWithinLimit(bodyBytes)) {
            content.release();
            e.failRequest(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
            return;
        }
        e.requestContent(content);
    }

    /** Answers a request Bascule will not forward; the rest of its body, if any, is dropped. */
    private void answerLocally(HttpResponseStatus status, long retryAfterSeconds) {
        if (recordSnapshot == null) {
            openRecord(connection.live().get(), null);
        }
        record.status(status.code(), LocalReason.ofStatus(status.code()));
        FullHttpResponse response = ErrorResponses.of(status, false);
        if (retryAfterSeconds > 0) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(retryAfterSeconds));
        }
        RequestTracing.toClient(response.headers(), record);
        writeAnswer(response);
        closeRecord();
    }

    /** Answers with the redirect of the route the request matched; the rest of its body, if any, is dropped. */
    private void redirect(RouteAction action) {
        HttpResponseStatus status = admission.status();
        record.status(status.code(), LocalReason.REDIRECT);
        FullHttpResponse response = Redirects.of(status, admission.location(), false, action.responseHeaders());
        RequestTracing.toClient(response.headers(), record);
        writeAnswer(response);
        closeRecord();
    }

    private void deadlineCheck() {
        Exchange e = exchange;
        if (e == null) {
            return;
        }
        long now = deadlines.now();
        if (waitingSince != 0) {
            if (now - waitingSince >= bodyIdleNanos) {
                waitingSince = 0;
                e.failRequest(HttpResponseStatus.REQUEST_TIMEOUT); // the body stopped moving: client_body_idle
                return;
            }
            deadlines.armAt(waitingSince + bodyIdleNanos);
        }
        e.checkDeadline(now);
    }

    // ---- frames to the client ----

    /** The exchange is over, or never began: no more body is asked for, and what is queued is dropped. */
    private void over() {
        exchange = null;
        answered = true;
        wanted = false;
        dropInbound();
    }

    /** A whole response of Bascule's own, ending the stream; the rest of the request body is dropped. */
    private void writeAnswer(FullHttpResponse response) {
        over();
        pendingHead = null;
        if (closed) {
            response.release();
            return;
        }
        frames.whole(response);
        connection.flushSoon();
    }

    private void writePendingHead() {
        HttpResponse head = pendingHead;
        if (head != null) {
            pendingHead = null;
            if (!closed) {
                frames.head(head, false);
            }
        }
    }

    // ---- Downstream ----

    @Override
    public ExchangeRecord record() {
        return record;
    }

    @Override
    public EventLoop eventLoop() {
        return ctx.channel().eventLoop();
    }

    @Override
    public OriginConnector origins() {
        return connection.origins();
    }

    @Override
    public ClientAddress client() {
        return admission.client();
    }

    @Override
    public String scheme() {
        return connection.scheme();
    }

    @Override
    public HttpVersion receivedVersion() {
        return HTTP_2;
    }

    @Override
    public boolean closing() {
        return connection.closing();
    }

    @Override
    public long nowNanos() {
        return deadlines.now();
    }

    @Override
    public long armDeadline(long fromNowNanos) {
        return deadlines.armIn(fromNowNanos);
    }

    @Override
    public void rearmDeadline(long deadline) {
        deadlines.armAt(deadline);
    }

    @Override
    public void requestMore() {
        if (!bodyComplete && bodyIdleNanos > 0 && waitingSince == 0) {
            waitingSince = deadlines.now();
            deadlines.armAt(waitingSince + bodyIdleNanos);
        }
        wanted = true;
        deliver();
    }

    @Override
    public void sendContinue() {
        // HTTP/2 clients wait for a 100 too (RFC 9113 8.1); it goes as an interim HEADERS frame.
        if (!closed) {
            frames.continueHead();
            connection.flushSoon();
        }
    }

    @Override
    public void sendHead(HttpResponse head) {
        record.status(head.status().code(), null);
        RequestTracing.toClient(head.headers(), record);
        admission.addStickyCookie(head.headers());
        writePendingHead(); // an interim head before this one
        pendingHead = head;
    }

    @Override
    public void sendContent(HttpContent content) {
        record.sent(content.content().readableBytes());
        writePendingHead();
        if (closed) {
            content.release();
            return;
        }
        frames.data(content.content());
    }

    @Override
    public void flush() {
        writePendingHead();
        connection.flushSoon();
    }

    @Override
    public boolean isWritable() {
        return !closed && connection.isWritable(stream);
    }

    /** The end of the response ends the stream; there is no connection to keep alive or close here. */
    @Override
    public void finish(LastHttpContent last, boolean keepAlive) {
        over();
        record.sent(last.content().readableBytes());
        HttpResponse head = pendingHead;
        pendingHead = null;
        if (closed) {
            last.release();
        } else if (head != null && !last.content().isReadable() && last.trailingHeaders().isEmpty()) {
            // Nothing follows the head: it ends the stream itself, one HEADERS frame with END_STREAM.
            last.release();
            frames.head(head, true);
        } else {
            if (head != null) {
                frames.head(head, false);
            }
            frames.end(last);
        }
        connection.flushSoon();
        closeRecord();
    }

    @Override
    public void answer(FullHttpResponse response, boolean keepAlive) {
        if (!record.hasStatus()) {
            int code = response.status().code();
            record.status(code, LocalReason.ofStatus(code));
        }
        record.sent(response.content().readableBytes());
        RequestTracing.toClient(response.headers(), record);
        writeAnswer(response);
        closeRecord();
    }

    /** Resets the stream: the client sees the response cut short, the connection and its other streams go on. */
    @Override
    public void abort() {
        over();
        pendingHead = null;
        connection.reset(stream, Http2Error.CANCEL);
        if (!record.hasStatus()) {
            record.status(HttpResponseStatus.BAD_GATEWAY.code(), LocalReason.BAD_GATEWAY);
        }
        closeRecord();
    }
}
