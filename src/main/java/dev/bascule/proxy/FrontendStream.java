package dev.bascule.proxy;

import dev.bascule.control.LiveSnapshot;
import dev.bascule.control.RouteAction;
import dev.bascule.control.Snapshot;
import dev.bascule.origin.OriginConnector;
import dev.bascule.stats.ExchangeRecord;
import dev.bascule.stats.LocalReason;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/2 stream from a client: one request and its exchange. It sits on the stream's child channel behind
 * Netty's frame-to-HTTP-object codec, so the exchange sees the same messages as from an HTTP/1 connection. Reads
 * are on demand (auto-read is off): each read consumes a DATA frame and lets HTTP/2 flow control open the
 * stream's window again, so a request body comes no faster than the origin takes it, and a slow stream never
 * stalls the others.
 *
 * <p>Threading: confined to the connection's event loop (every stream of a connection shares it).
 */
final class FrontendStream extends ChannelInboundHandlerAdapter implements Downstream, GlobalCheck.Decided {
    private static final Logger log = LoggerFactory.getLogger(FrontendStream.class);
    /** What the stream was received in, for Via: HTTP/2 names its version by the major number (RFC 9113 3). */
    static final HttpVersion HTTP_2 = new HttpVersion("HTTP", 2, 0, false);
    private static final CharSequence STREAM_ID = HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text();
    private static final CharSequence SCHEME = HttpConversionUtil.ExtensionHeaderNames.SCHEME.text();

    private final LiveSnapshot live;
    private final OriginConnector origins;
    private final FrontendHttp2Connection connection;
    /** The account of the stream's request. */
    private final ExchangeRecord record = new ExchangeRecord();
    /** The snapshot the request was admitted under, whose events get the record; null when none is open. */
    private Snapshot recordSnapshot;
    private ChannelHandlerContext ctx;
    private Admission admission;
    private LazyTimer deadlines;
    private Exchange exchange;
    /**
     * The response head, held back until something follows it (content, a flush, the end), so that a response
     * the origin ended with its head goes out as one HEADERS frame with END_STREAM: a gRPC trailers-only
     * response (grpc-status in that one frame) must reach the client as such, not as HEADERS and then an empty
     * DATA frame ending the stream, which gRPC clients reject (gRPC over HTTP/2, "Responses").
     */
    private HttpResponse pendingHead;
    /** Bytes of the forwarded request's body read so far, for its {@code max_body_size}. */
    private long bodyBytes;
    /** The request was answered locally; what is left of its body is dropped. */
    private boolean answered;
    /** The request body was read to its end. */
    private boolean bodyComplete;
    /** {@code client_body_idle} in nanoseconds; 0 when it does not apply (gRPC calls have stream_idle). */
    private long bodyIdleNanos;
    /** When the stream started waiting on the client for more body ({@link LazyTimer#now()}); 0 when not. */
    private long waitingSince;
    /** Waits for the request's global rate-limit check; made when the stream needs one. */
    private GlobalCheck globalCheck;
    /** The request whose global rate limit is being checked, and its snapshot; null when none. */
    private HttpRequest checking;
    private Snapshot checkingSnapshot;
    /**
     * The end of a request that came whole in its HEADERS frame, held while its rate limit is checked (nothing
     * else is read meanwhile); released if the stream closes first.
     */
    private HttpContent heldContent;

    FrontendStream(LiveSnapshot live, OriginConnector origins, FrontendHttp2Connection connection) {
        this.live = live;
        this.origins = origins;
        this.connection = connection;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.deadlines = new LazyTimer(ctx.executor(), this::deadlineCheck);
        this.admission = new Admission(new ClientAddress(connection.remoteAddress()));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        connection.streamOpened();
        ctx.read(); // the request head
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest full) {
            // A HEADERS frame that ended the stream: split into head and end, as the exchange reads them.
            onRequest(new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers()));
            onContent(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
        } else if (msg instanceof HttpRequest request) {
            onRequest(request);
        } else if (msg instanceof HttpContent content) {
            onContent(content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onRequest(HttpRequest request) {
        HttpHeaders h = request.headers();
        // Netty's codec adds these for HTTP/1 handlers; they are not the client's and must not go upstream.
        h.remove(STREAM_ID);
        h.remove(SCHEME);
        Snapshot snapshot = live.get();
        openRecord(snapshot, request);
        if (!sameHost(h)) {
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
                checking = request;
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
        if (request == null) {
            return;
        }
        proceed(admission.afterGlobalLimit(waitNanos), snapshot, request);
        HttpContent held = heldContent;
        heldContent = null;
        if (held != null) {
            onContent(held);
        }
    }

    /** Goes on with a request admitted (or refused) under {@code snapshot}, its rate limit decided. */
    private void proceed(Admission.Verdict verdict, Snapshot snapshot, HttpRequest request) {
        HttpHeaders h = request.headers();
        recordRoute(snapshot);
        switch (verdict) {
            case REJECT, ANSWER -> {
                if (GrpcAnswers.isGrpc(h)) {
                    answered = true;
                    int code = admission.status().code();
                    record.status(HttpResponseStatus.OK.code(), LocalReason.ofStatus(code))
                            .grpcStatus(GrpcAnswers.statusFor(admission.status()));
                    FullHttpResponse trailersOnly = GrpcAnswers.trailersOnly(admission.status());
                    RequestTracing.toClient(trailersOnly.headers(), record);
                    ctx.writeAndFlush(trailersOnly).addListener(ChannelFutureListener.CLOSE);
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
        HttpContent held = heldContent;
        heldContent = null;
        if (held != null) {
            held.release();
        }
    }

    /**
     * Netty maps {@code :authority} to Host and keeps a host field the client also sent: one value, or two equal
     * ones (made one here), is well formed.
     */
    private static boolean sameHost(HttpHeaders h) {
        List<String> hosts = h.getAll(HttpHeaderNames.HOST);
        if (hosts.size() < 2) {
            return true;
        }
        String first = hosts.get(0);
        for (int i = 1; i < hosts.size(); i++) {
            if (!first.equalsIgnoreCase(hosts.get(i))) {
                return false;
            }
        }
        h.set(HttpHeaderNames.HOST, first);
        return true;
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
        if (checking != null) {
            if (heldContent != null) {
                // One read, one message: a second cannot come while nothing is read. Never let it pass unchecked.
                content.release();
                abandonGlobalCheck();
                ctx.close();
                return;
            }
            heldContent = content;
            return;
        }
        waitingSince = 0;
        record.received(content.content().readableBytes());
        if (content instanceof LastHttpContent) {
            bodyComplete = true;
        }
        if (exchange == null || answered) {
            content.release();
            if (!(content instanceof LastHttpContent)) {
                ctx.read(); // drain what the client already sent, so its window is not left closed
            }
            return;
        }
        bodyBytes += content.content().readableBytes();
        if (!admission.bodyWithinLimit(bodyBytes)) {
            content.release();
            exchange.failRequest(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
            return;
        }
        exchange.requestContent(content);
    }

    /** Answers a request Bascule will not forward; the rest of its body, if any, is dropped. */
    private void answerLocally(HttpResponseStatus status, long retryAfterSeconds) {
        answered = true;
        if (recordSnapshot == null) {
            openRecord(live.get(), null);
        }
        record.status(status.code(), LocalReason.ofStatus(status.code()));
        FullHttpResponse response = ErrorResponses.of(status, false);
        if (retryAfterSeconds > 0) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(retryAfterSeconds));
        }
        RequestTracing.toClient(response.headers(), record);
        // The response ends the stream; closing then resets it if the client is still sending (RFC 9113 8.1).
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        closeRecord();
    }

    /** Answers with the redirect of the route the request matched; the rest of its body, if any, is dropped. */
    private void redirect(RouteAction action) {
        answered = true;
        HttpResponseStatus status = admission.status();
        record.status(status.code(), LocalReason.REDIRECT);
        FullHttpResponse response = Redirects.of(status, admission.location(), false, action.responseHeaders());
        RequestTracing.toClient(response.headers(), record);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
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

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Exchange e = exchange;
        if (e != null) {
            e.clientWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        deadlines.cancel();
        abandonGlobalCheck();
        connection.streamClosed();
        Exchange e = exchange;
        exchange = null;
        if (e != null) {
            e.clientClosed(); // the client reset the stream or the connection went: cancel upstream
        }
        closeRecord();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client stream {} failed", ctx.channel(), cause);
        abandonGlobalCheck();
        if (cause instanceof DecoderException && exchange == null && !answered) {
            // A request head Netty could not turn into HTTP/1 terms is malformed (RFC 9113 8.1.1): for instance a
            // host field that differs from :authority (8.3.1).
            answerLocally(HttpResponseStatus.BAD_REQUEST, 0);
            return;
        }
        ctx.close();
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
        return origins;
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
        ctx.read();
    }

    @Override
    public void sendContinue() {
        // HTTP/2 clients wait for a 100 too (RFC 9113 8.1); it goes as an interim HEADERS frame.
        ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE),
                ctx.voidPromise());
    }

    @Override
    public void sendHead(HttpResponse head) {
        record.status(head.status().code(), null);
        RequestTracing.toClient(head.headers(), record);
        admission.addStickyCookie(head.headers());
        writePendingHead(); // an interim head before this one
        pendingHead = head;
    }

    private void writePendingHead() {
        HttpResponse head = pendingHead;
        if (head != null) {
            pendingHead = null;
            ctx.write(head, ctx.voidPromise());
        }
    }

    @Override
    public void sendContent(HttpContent content) {
        record.sent(content.content().readableBytes());
        writePendingHead();
        ctx.write(content, ctx.voidPromise());
    }

    @Override
    public void flush() {
        writePendingHead();
        ctx.flush();
    }

    @Override
    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    /** The end of the response ends the stream; there is no connection to keep alive or close here. */
    @Override
    public void finish(LastHttpContent last, boolean keepAlive) {
        exchange = null;
        record.sent(last.content().readableBytes());
        HttpResponse head = pendingHead;
        if (head != null && !last.content().isReadable() && last.trailingHeaders().isEmpty()) {
            // Nothing follows the head: it ends the stream itself (a full response with no content or trailers
            // is encoded as one HEADERS frame with END_STREAM).
            pendingHead = null;
            last.release();
            ctx.writeAndFlush(new DefaultFullHttpResponse(head.protocolVersion(), head.status(),
                    Unpooled.EMPTY_BUFFER, head.headers(), EmptyHttpHeaders.INSTANCE))
                    .addListener(ChannelFutureListener.CLOSE);
            closeRecord();
            return;
        }
        writePendingHead();
        ctx.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
        closeRecord();
    }

    @Override
    public void answer(FullHttpResponse response, boolean keepAlive) {
        exchange = null;
        pendingHead = null;
        if (!record.hasStatus()) {
            int code = response.status().code();
            record.status(code, LocalReason.ofStatus(code));
        }
        record.sent(response.content().readableBytes());
        RequestTracing.toClient(response.headers(), record);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        closeRecord();
    }

    /** Resets the stream: the client sees the response cut short, the connection and its other streams go on. */
    @Override
    public void abort() {
        exchange = null;
        pendingHead = null;
        ctx.close();
        if (!record.hasStatus()) {
            record.status(HttpResponseStatus.BAD_GATEWAY.code(), LocalReason.BAD_GATEWAY);
        }
        closeRecord();
    }
}
