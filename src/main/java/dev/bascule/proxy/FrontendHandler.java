package dev.bascule.proxy;

import dev.bascule.control.LiveSnapshot;
import dev.bascule.control.RouteAction;
import dev.bascule.control.Snapshot;
import dev.bascule.http1.SpareHeads;
import dev.bascule.origin.OriginConnector;
import dev.bascule.stats.ExchangeRecord;
import dev.bascule.stats.ListenerStats;
import dev.bascule.stats.LocalReason;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: reads requests one message at a time (auto-read is off and {@link FrontendCodec} hands
 * on one message per read), hands each request to an {@link Exchange}, and reads the next request only
 * when the previous response is complete, so pipelined requests are answered in order.
 *
 * <p>Threading: confined to the connection's event loop.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter implements Downstream, GlobalCheck.Decided {
    private static final Logger log = LoggerFactory.getLogger(FrontendHandler.class);

    private final LiveSnapshot live;
    private final OriginConnector origins;
    private final String scheme;
    private final ClientTimeouts timeouts;
    /** The accounts of the connection's requests, each in a record borrowed for the request. */
    private final RequestAccounts accounts;
    private ChannelHandlerContext ctx;
    /** The version of the request in flight, as received (Via names it). */
    private HttpVersion exchangeRequestVersion = HttpVersion.HTTP_1_1;
    /** Decides on each request; set when the connection is active (it needs the peer's address). */
    private Admission admission;
    private Exchange exchange;
    /** Bytes of the forwarded request's body read so far, for its {@code max_body_size}. */
    private long bodyBytes;
    /** The request being discarded after Bascule answered it itself; its body must not reach anyone. */
    private boolean discardingBody;
    /**
     * A read was asked for and no message has arrived yet. The codec counts a socket read that decoded nothing
     * (half a header block) as answered, so the read must be asked for again.
     */
    private boolean wantRead;
    /** Shutting down: no request after the current one. */
    private boolean closing;
    /** The origin's 101 is being written: the connection is becoming a {@link Tunnel}, not idle. */
    private boolean upgrading;
    /** Waits for global rate-limit checks; made when the connection first needs one. */
    private GlobalCheck globalCheck;
    /**
     * The request whose global rate limit is being checked, and the snapshot it was admitted under; null when none.
     * Nothing more is read from the client meanwhile.
     */
    private HttpRequest checking;
    private Snapshot checkingSnapshot;

    FrontendHandler(LiveSnapshot live, OriginConnector origins, String scheme, ClientTimeouts timeouts,
            ListenerStats listener) {
        this.live = live;
        this.accounts = new RequestAccounts(listener);
        this.origins = origins;
        this.scheme = scheme;
        this.timeouts = timeouts;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            activate(); // installed once ALPN or the preface chose HTTP/1.1: the connection is up already
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (admission == null) {
            activate();
        }
    }

    private void activate() {
        admission = new Admission(new ClientAddress(ctx.channel().remoteAddress()));
        read();
    }

    private void read() {
        wantRead = true;
        ctx.read();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (wantRead) {
            ctx.read();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        wantRead = false;
        if (msg instanceof HttpRequest request) {
            onRequest(request);
            if (msg instanceof HttpContent content) {
                if (request.decoderResult().isFailure()) {
                    content.release(); // a refused request comes whole; it was answered and has no body to read
                } else {
                    onContent(content);
                }
            }
        } else if (msg instanceof HttpContent content) {
            onContent(content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onRequest(HttpRequest request) {
        if (exchange != null) {
            // Cannot happen while reads are paced, but never let two exchanges share a connection.
            ReferenceCountUtil.release(request);
            ctx.close();
            return;
        }
        Snapshot snapshot = live.get();
        openRecord(snapshot, request);
        Admission.Verdict verdict = admission.admit(snapshot, request, nowNanos());
        if (verdict == Admission.Verdict.CHECK_GLOBAL) {
            checkGlobal(snapshot, request);
            return;
        }
        proceed(verdict, snapshot, request);
    }

    /**
     * Asks the route's global rate limit, and goes on when it decided: at once (Redis is out: the local share
     * decides) or from {@link #globalLimitDecided}. The head counts as read, so the header timeout stops.
     */
    private void checkGlobal(Snapshot snapshot, HttpRequest request) {
        recordRoute(snapshot); // a client that leaves meanwhile counts under the route
        timeouts.requestHead(HttpUtilLite.hasBody(request.headers()));
        if (globalCheck == null) {
            globalCheck = new GlobalCheck(ctx.executor(), this);
        }
        long wait = globalCheck.start(admission.globalLimit(), admission.globalKey(), nowNanos());
        if (wait == GlobalCheck.PENDING) {
            checking = request;
            checkingSnapshot = snapshot;
            return;
        }
        proceed(admission.afterGlobalLimit(wait), snapshot, request);
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
        if (!ctx.channel().isActive()) {
            ReferenceCountUtil.release(request); // closing: channelInactive will find nothing left to drop
            return;
        }
        proceed(admission.afterGlobalLimit(waitNanos), snapshot, request);
    }

    /** Goes on with a request admitted (or refused) under {@code snapshot}, its rate limit decided. */
    private void proceed(Admission.Verdict verdict, Snapshot snapshot, HttpRequest request) {
        recordRoute(snapshot);
        switch (verdict) {
            case REJECT -> reject(admission.status());
            case ANSWER -> {
                timeouts.requestHead(HttpUtilLite.hasBody(request.headers()));
                answer(admission.status(), request, admission.retryAfterSeconds());
            }
            case REDIRECT -> {
                timeouts.requestHead(HttpUtilLite.hasBody(request.headers()));
                redirect(request, admission.route().target());
            }
            case FORWARD -> {
                timeouts.requestHead(HttpUtilLite.hasBody(request.headers()));
                RouteAction action = admission.action(); // a split route's chosen side
                bodyBytes = 0;
                exchangeRequestVersion = request.protocolVersion();
                exchange = new Exchange(this, snapshot, action, request, admission.upstreamTarget(),
                        admission.websocket());
                exchange.start();
            }
            case CHECK_GLOBAL -> throw new IllegalStateException("a global rate limit is checked once per request");
        }
    }

    /** The client and the route (a split's side, once chosen) the record counts under. */
    private void recordRoute(Snapshot snapshot) {
        record().client(admission.client().ip())
                .route(admission.action() == null ? snapshot.unrouted() : admission.action().series());
    }

    /** Opens the account of a request ({@code null} for none: a client that sent no complete head in time). */
    private void openRecord(Snapshot snapshot, HttpRequest request) {
        accounts.open(snapshot, request, admission == null ? null : admission.client().peerIp(), ctx.pipeline(),
                nowNanos());
    }

    /** Closes the account of the request over ({@link RequestAccounts#close}); the admission lets go of it too. */
    private void closeRecord(int fallback) {
        accounts.close(fallback, nowNanos());
        if (admission != null) {
            admission.requestOver();
        }
    }

    private void onContent(HttpContent content) {
        if (checking != null) {
            // Nothing is read while a rate limit is checked, so this cannot come; never let it reach an exchange.
            content.release();
            ctx.close();
            return;
        }
        boolean last = content instanceof LastHttpContent;
        if (content.decoderResult().isFailure()) {
            // A malformed body (bad chunk size, bare LF, ...): what was sent upstream is a partial request, so the
            // exchange is abandoned with its origin connection, and the client connection closes.
            content.release();
            timeouts.requestDone();
            failExchange(HttpResponseStatus.BAD_REQUEST);
            return;
        }
        if (last) {
            timeouts.requestDone();
        }
        if (exchange != null && !discardingBody) {
            bodyBytes += content.content().readableBytes();
            if (!admission.bodyWithinLimit(bodyBytes)) {
                content.release();
                timeouts.requestDone();
                failExchange(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
                return;
            }
            exchange.requestContent(content);
            return;
        }
        content.release();
        if (discardingBody && content instanceof LastHttpContent) {
            discardingBody = false;
            timeouts.awaitingRequest();
            read();
        } else if (discardingBody) {
            read();
        }
    }

    /**
     * Answers a request Bascule will not forward, keeping the connection when the request can be skipped.
     *
     * @param retryAfterSeconds a Retry-After value to send, or 0 for none
     */
    private void answer(HttpResponseStatus status, HttpRequest request, long retryAfterSeconds) {
        boolean keepAlive = !closing && HeaderRules.wantsKeepAlive(request) && !HttpUtilLite.hasBody(request.headers());
        ReferenceCountUtil.release(request);
        FullHttpResponse response = ErrorResponses.of(status, !keepAlive);
        if (retryAfterSeconds > 0) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(retryAfterSeconds));
        }
        if (status.code() == HttpResponseStatus.UPGRADE_REQUIRED.code()) {
            WebSocketHandshake.addVersionRequired(response.headers());
        }
        record().status(status.code(), LocalReason.ofStatus(status.code()));
        writeAnswer(response, keepAlive);
    }

    /** Answers a request its redirect route matched, as {@link #answer} does; counted as a redirect. */
    private void redirect(HttpRequest request, RouteAction action) {
        boolean keepAlive = !closing && HeaderRules.wantsKeepAlive(request) && !HttpUtilLite.hasBody(request.headers());
        ReferenceCountUtil.release(request);
        HttpResponseStatus status = admission.status();
        record().status(status.code(), LocalReason.REDIRECT);
        writeAnswer(Redirects.of(status, admission.location(), !keepAlive, action.responseHeaders()), keepAlive);
    }

    private void writeAnswer(FullHttpResponse response, boolean keepAlive) {
        int code = response.status().code();
        RequestTracing.toClient(response.headers(), record());
        if (keepAlive) {
            discardingBody = true; // swallow the empty LastHttpContent that follows
            ctx.writeAndFlush(response, ctx.voidPromise());
            closeRecord(code);
            read();
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            closeRecord(code);
        }
    }

    /** Answers a malformed or refused request and closes: after a bad message the stream cannot be trusted. */
    private void reject(HttpResponseStatus status) {
        timeouts.requestDone();
        if (!accounts.isOpen()) {
            openRecord(live.get(), null); // a head that never came whole (408)
        }
        record().status(status.code(), LocalReason.ofStatus(status.code()));
        FullHttpResponse response = ErrorResponses.of(status, true);
        RequestTracing.toClient(response.headers(), record());
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        closeRecord(status.code());
    }

    /** The request in flight cannot be read to its end: its exchange ends with {@code status} or a cut. */
    private void failExchange(HttpResponseStatus status) {
        Exchange e = exchange;
        if (e != null) {
            e.failRequest(status); // answers (or cuts the response short) and closes once written
        }
        if (e == null || exchange != null) {
            ctx.close(); // nothing left to answer: stop reading at once
        }
    }

    /** Shutdown: close now if no request is in flight, else once its response is written. */
    void closeWhenIdle() {
        closing = true;
        if (exchange == null && checking == null && !upgrading) {
            ctx.close();
        }
    }

    // ---- Downstream: what the exchange needs from this connection ----

    @Override
    public ExchangeRecord record() {
        return accounts.record();
    }

    /** The data plane's clock: the event loop's ticker, the one every timer of this connection runs on. */
    @Override
    public long nowNanos() {
        return ctx.executor().ticker().nanoTime();
    }

    /** The connection's one timer is the client timeouts' ({@link ClientTimeouts#wakeAt}), lazy as theirs. */
    @Override
    public long armDeadline(long fromNowNanos) {
        long deadline = nowNanos() + fromNowNanos;
        timeouts.wakeAt(deadline);
        return deadline;
    }

    @Override
    public void rearmDeadline(long deadline) {
        timeouts.wakeAt(deadline);
    }

    /** Whether the connection must close after the response in flight (shutdown in progress). */
    @Override
    public boolean closing() {
        return closing;
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
        return scheme;
    }

    @Override
    public HttpVersion receivedVersion() {
        return exchangeRequestVersion;
    }

    @Override
    public void requestMore() {
        read();
    }

    @Override
    public void sendContinue() {
        ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE),
                ctx.voidPromise());
    }

    @Override
    public void sendHead(HttpResponse head) {
        record().status(head.status().code(), null);
        RequestTracing.toClient(head.headers(), record());
        admission.addStickyCookie(head.headers());
        ctx.write(head, ctx.voidPromise());
    }

    @Override
    public void sendContent(HttpContent content) {
        ctx.write(content, ctx.voidPromise());
    }

    @Override
    public void flush() {
        ctx.flush();
    }

    @Override
    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    @Override
    public void finish(LastHttpContent last, boolean keepAlive) {
        writeLast(last, keepAlive);
    }

    @Override
    public void answer(FullHttpResponse response, boolean keepAlive) {
        if (!record().hasStatus()) {
            int code = response.status().code();
            record().status(code, LocalReason.ofStatus(code));
        }
        RequestTracing.toClient(response.headers(), record());
        writeLast(response, keepAlive);
    }

    @Override
    public void abort() {
        ctx.channel().close();
        closeRecord(HttpResponseStatus.BAD_GATEWAY.code());
        exchangeFinished(false);
    }

    @Override
    public void upgrade(HttpResponse switching, Tunnel tunnel) {
        exchange = null;
        upgrading = true;
        record().status(switching.status().code(), null);
        RequestTracing.toClient(switching.headers(), record());
        ctx.write(switching, ctx.voidPromise());
        // On a fresh stack: the write may complete at once, inside the origin decoder the tunnel takes out.
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(written ->
                ctx.executor().execute(() -> becomeTunnel(tunnel, written.isSuccess())));
        closeRecord(HttpResponseStatus.SWITCHING_PROTOCOLS.code()); // the tunnel's traffic is not a request's
    }

    /**
     * The 101 is written: from here on the connection carries WebSocket frames, not HTTP (RFC 9110 7.8), so every
     * HTTP handler leaves the pipeline and the tunnel's end takes the codec's place. Bytes the decoder had read
     * past the handshake (it stops decoding after a request that asks to upgrade) reach the tunnel first.
     */
    private void becomeTunnel(Tunnel tunnel, boolean written) {
        if (!written || !ctx.channel().isActive()) {
            tunnel.abandon();
            ctx.close();
            return;
        }
        ChannelPipeline p = ctx.pipeline();
        p.replace(FrontendCodec.class, "tunnel", tunnel.clientEnd());
        p.remove(this);
        removeIfPresent(p, HstsHandler.class);
        tunnel.start();
    }

    private static void removeIfPresent(ChannelPipeline p, Class<? extends ChannelHandler> type) {
        if (p.get(type) != null) {
            p.remove(type);
        }
    }

    private void writeLast(Object message, boolean keepAlive) {
        if (keepAlive) {
            ctx.writeAndFlush(message, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(message).addListener(ChannelFutureListener.CLOSE);
        }
        closeRecord(HttpResponseStatus.BAD_GATEWAY.code());
        exchangeFinished(keepAlive);
    }

    /**
     * The exchange is over and its last write was issued.
     *
     * @param keepAlive whether the connection may carry another request
     */
    private void exchangeFinished(boolean keepAlive) {
        Exchange e = exchange;
        if (e == null) {
            return;
        }
        exchange = null;
        if (closing) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else if (keepAlive && ctx.channel().isActive()) {
            // Read whole and answered, its head written upstream when it was sent: nothing reads the request's
            // head any more (a late callback to a finished exchange reads none of it), so the next head read on
            // this loop may reuse it. A connection that closes gives nothing back.
            SpareHeads.giveBack(e.request());
            timeouts.awaitingRequest();
            read();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.clientWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ClientTimeouts.Expired.HEADER) {
            if (exchange == null) {
                reject(HttpResponseStatus.REQUEST_TIMEOUT); // slowloris: the head did not arrive in time
            }
            return;
        }
        if (evt == ClientTimeouts.Expired.BODY) {
            failExchange(HttpResponseStatus.REQUEST_TIMEOUT); // the body stopped moving
            return;
        }
        if (evt == ClientTimeouts.Expired.IDLE) {
            if (exchange == null) {
                ctx.close(); // an idle keep-alive connection; a request in flight has its own timeouts
            }
            return;
        }
        if (evt == ClientTimeouts.Expired.DEADLINE) {
            Exchange e = exchange;
            if (e != null) {
                e.checkDeadline(nowNanos()); // a deadline it armed may have come (or moved on: it arms again)
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Exchange e = exchange;
        exchange = null;
        if (e != null) {
            e.clientClosed();
        }
        if (checking != null) {
            globalCheck.cancel(); // the client left while its rate limit was checked: a late answer is ignored
            ReferenceCountUtil.release(checking);
            checking = null;
            checkingSnapshot = null;
        }
        closeRecord(ExchangeRecord.CLIENT_CLOSED);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client connection {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
