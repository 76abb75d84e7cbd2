package dev.bascule.proxy;

import dev.bascule.control.HeaderEdits;
import dev.bascule.control.Pool;
import dev.bascule.control.Protocol;
import dev.bascule.control.RetryPolicy;
import dev.bascule.control.RouteAction;
import dev.bascule.control.Snapshot;
import dev.bascule.origin.MalformedResponseException;
import dev.bascule.origin.OriginConnection;
import dev.bascule.origin.OriginListener;
import dev.bascule.origin.RequestNotProcessedException;
import dev.bascule.stats.ExchangeRecord;
import dev.bascule.stats.LocalReason;
import dev.bascule.stats.RetryReason;
import dev.bascule.upstream.AttemptFailure;
import dev.bascule.upstream.Server;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request and its response, from the moment its head is read until the last byte of the response is
 * written: picks a server, borrows an origin connection, streams the body both ways with back-pressure, tries
 * again where that is safe, reports failures for passive health checks, and maps origin failures to
 * 502/503/504. When every server it may use is at its {@code max_connections}, it waits in the upstream's queue
 * until one has room (503 when the queue is full or the wait too long). A WebSocket handshake that the origin
 * accepts with {@code 101} ends the exchange and hands both connections to a {@link Tunnel}.
 *
 * <p>Threading: confined to the client connection's event loop; origin connections are opened on that same
 * loop, so every callback arrives there too.
 */
final class Exchange extends ServerChoice implements OriginListener {
    private static final Logger log = LoggerFactory.getLogger(Exchange.class);
    /** Sends of one request the origin may refuse unprocessed (REFUSED_STREAM, GOAWAY) before it gets a 502. */
    static final int MAX_UNPROCESSED_RESENDS = 3;

    private final Downstream downstream;
    private final Snapshot snapshot;
    private final Pool pool;
    private final RetryPolicy retry;
    private final HttpRequest request;
    private final HttpVersion clientVersion;
    private final boolean clientKeepAlive;
    private final boolean headRequest;
    private final boolean idempotent;
    private final boolean hasBody;
    private final boolean expectContinue;
    private final ReplayBuffer replay;
    /** Builds this hop's Via elements; null when Via is off. */
    private final Via via;
    /** The clocks of a gRPC call; null for any other request. */
    private final GrpcCall grpc;
    /** A WebSocket handshake ({@link Admission#websocket()}): an origin's 101 turns it into a tunnel. */
    private final boolean websocket;
    /** The route's edits of the response sent to the client. */
    private final HeaderEdits responseEdits;
    /** The copy for the route's mirror until it is sent (once the request is whole); null when none is due. */
    private MirrorCopy mirror;
    /** Why the next try is a retry, counted when it starts; null when it is the first (or a resend). */
    private RetryReason retryReason;

    private Server server;
    private OriginConnection origin;
    private boolean originReused;
    /** Tries that reached the point of sending the request (connect failures not counted). */
    private int sentTries;
    /** Tries the origin did not process ({@link RequestNotProcessedException}), sent again already. */
    private int unprocessedResends;
    private long tryStartedNanos;

    private boolean requestComplete;
    /** A bodyless request waits for its trailing empty content before {@link #begin} picks a server. */
    private boolean startWhenComplete;
    private boolean requestSent;
    private boolean waitingForOriginWritable;
    private HttpResponse responseHead;
    private boolean keepAliveAfter;
    /** The origin's own answer on keeping its connection, read before the head is rewritten for the client. */
    private boolean originKeepAlive;
    private boolean finished;
    /** When the response head of the current try is due ({@link LazyTimer#now()} time); 0 when none is awaited. */
    private long responseDeadline;

    Exchange(Downstream downstream, Snapshot snapshot, RouteAction action, HttpRequest request, String target) {
        this(downstream, snapshot, action, request, target, false);
    }

    /** @param websocket the request is a WebSocket handshake that {@link Admission} checked */
    Exchange(Downstream downstream, Snapshot snapshot, RouteAction action, HttpRequest request, String target,
            boolean websocket) {
        super(action.pool(), request, downstream);
        this.websocket = websocket;
        this.downstream = downstream;
        this.snapshot = snapshot;
        this.pool = action.pool();
        this.retry = action.retry();
        this.request = request;
        this.clientVersion = request.protocolVersion();
        this.clientKeepAlive = HeaderRules.wantsKeepAlive(request) && !downstream.closing();
        HttpMethod method = request.method();
        this.headRequest = HttpMethod.HEAD.equals(method);
        this.idempotent = isIdempotent(method);
        this.hasBody = HttpUtilLite.hasBody(request.headers());
        this.via = Via.of(snapshot.settings());
        this.grpc = GrpcAnswers.isGrpc(request.headers())
                ? new GrpcCall(request.headers(), downstream.nowNanos(), snapshot.settings().streamIdleMillis()) : null;
        this.expectContinue = request.headers().containsValue(HttpHeaderNames.EXPECT, HttpHeaderValues.CONTINUE, true);
        if (expectContinue) {
            // Bascule answers 100 Continue itself once an origin is ready to take the body.
            request.headers().remove(HttpHeaderNames.EXPECT);
        }
        HttpVersion received = downstream.receivedVersion();
        HeaderRules.toUpstream(request, target, downstream.client().peerIp(), downstream.client().peerTrusted(),
                downstream.scheme(), via == null ? null : via.element(received.majorVersion(), received.minorVersion()),
                pool.protocol() != Protocol.HTTP1);
        RequestTracing.toUpstream(request.headers(), snapshot.settings(), downstream.record());
        if (websocket) {
            HeaderRules.toUpstreamUpgrade(request);
        }
        RouteHeaders.apply(request.headers(), action.requestHeaders());
        this.responseEdits = action.responseHeaders();
        this.mirror = MirrorCopy.of(action.mirror(), request, downstream, snapshot.settings(), websocket);
        // On HTTP/2 a request of any method may have to be sent again when the origin did not process it; a
        // mirrored request's copy needs the whole body too.
        this.replay = hasBody && (idempotent && retry.attempts() > 1 || pool.protocol() != Protocol.HTTP1
                || mirror != null) ? new ReplayBuffer() : null;
    }

    /** RFC 9110 9.2.2: methods whose repetition has the same intended effect. */
    private static boolean isIdempotent(HttpMethod m) {
        return m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS || m == HttpMethod.TRACE
                || m == HttpMethod.PUT || m == HttpMethod.DELETE;
    }

    void start() {
        if (!hasBody && !requestComplete) {
            // The empty LastHttpContent that follows a bodyless request is read first, so the request is complete
            // before any connection is opened: it can be sent again on another one, and an answer of Bascule's
            // own (503) keeps the connection. The decoder hands it over just after the head, so it usually
            // arrives after this read returns; requestContent then carries on.
            startWhenComplete = true;
            downstream.requestMore();
            return;
        }
        begin();
    }

    private void begin() {
        if (finished) {
            return;
        }
        if (mirror != null && !hasBody) {
            mirror.send(); // on a later turn of the loop, after this request's own work
            mirror = null;
        }
        pool.retryBudget().requestStarted();
        if (grpc != null) {
            downstream.rearmDeadline(grpc.nextCheck());
        }
        if (pool.rejectWhenNoneRoutable()) {
            respondUnavailable();
            return;
        }
        pickAndConnect();
    }

    // ---- choosing a server ----

    private void pickAndConnect() {
        Server s = pick();
        if (s == null) {
            if (!triedAny()) {
                respondUnavailable();
            } else {
                respondError(HttpResponseStatus.BAD_GATEWAY);
            }
            return;
        }
        if (originQueue() != null && (s = withRoom(s)) == null) {
            waitForRoom(0);
            return;
        }
        connectTo(s);
    }

    @Override
    void connectTo(Server s) {
        server = s;
        remember(s);
        downstream.record().attempt(s.address());
        if (retryReason != null) {
            snapshot.events().retried(pool, retryReason);
            retryReason = null;
        }
        s.state().requestStarted();
        tryStartedNanos = downstream.nowNanos();
        long waitingUntil = takeQueueDeadline();
        if (!downstream.origins().acquire(downstream.eventLoop(), s, pool.originTls(s), pool.protocol(),
                snapshot.settings().origin(), originQueue(), this)) {
            // Another event loop took the server's last slot since the pick.
            endAttempt();
            untry(s);
            waitForRoom(waitingUntil);
        }
    }

    @Override
    boolean finished() {
        return finished;
    }

    private void endAttempt() {
        Server s = server;
        if (s != null) {
            server = null;
            s.state().requestFinished();
        }
    }

    // ---- passive health ----

    private void serverFailed(AttemptFailure failure) {
        Server s = server;
        if (s != null) {
            snapshot.events().attemptFailed(pool, s, failure);
        }
    }

    // ---- retries ----

    /**
     * Whether a try that failed after the request was (maybe) sent may be repeated: attempts left, a request
     * that is safe to send again, and room in the upstream's retry budget.
     */
    private boolean mayRetry() {
        if (sentTries >= retry.attempts() || !idempotent) {
            return false;
        }
        if (hasBody && (replay == null || !replay.complete() || !requestComplete)) {
            return false;
        }
        return pool.retryBudget().tryRetry();
    }

    /**
     * Whether a request the origin did not process can be sent again: its body, if any, is whole in the replay
     * buffer, and it has not been refused {@link #MAX_UNPROCESSED_RESENDS} times already (an origin that refuses
     * everything gets a 502, not a loop). Neither the method nor the retry budget matters: nothing was done.
     */
    private boolean mayResendUnprocessed() {
        if (unprocessedResends >= MAX_UNPROCESSED_RESENDS) {
            return false;
        }
        if (hasBody && (replay == null || !replay.complete() || !requestComplete)) {
            return false;
        }
        unprocessedResends++;
        return true;
    }

    /** Starts another try, on another server when the pool has one. */
    private void retryElsewhere(RetryReason reason) {
        retryReason = reason;
        Server last = server;
        endAttempt();
        resetTry();
        Server s = pick();
        if (s == null && last != null && pool.candidates().contains(last)) {
            s = last; // a one-server pool: the same server beats no answer
            if (originQueue() != null) {
                forgetTried(); // and should it have to wait, that server is one it may wait for
            }
        }
        if (s == null) {
            respondError(HttpResponseStatus.BAD_GATEWAY);
            return;
        }
        if (originQueue() != null && (s = withRoom(s)) == null) {
            waitForRoom(0);
            return;
        }
        connectTo(s);
    }

    private void resetTry() {
        cancelResponseTimeout();
        origin = null;
        originReused = false;
        requestSent = false;
        responseHead = null;
        waitingForOriginWritable = false;
    }

    // ---- origin connection ----

    @Override
    public void originConnected(OriginConnection connection, boolean reused) {
        if (finished) {
            // The client left while we were connecting; nothing was sent, so the connection is clean.
            connection.release();
            return;
        }
        origin = connection;
        originReused = reused;
        sentTries++;
        if (request.headers().get(HttpHeaderNames.HOST) == null) {
            request.headers().set(HttpHeaderNames.HOST, server.address()); // an HTTP/1.0 client sent none
        }
        if (grpc != null) {
            grpc.forwardDeadline(request.headers(), downstream.nowNanos());
        }
        origin.write(request);
        if (!hasBody) {
            origin.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            requestSent();
            return;
        }
        if (sentTries > 1) {
            // A retry: the whole body is in the replay buffer (mayRetry checked it).
            replay.writeTo(origin);
            requestSent();
            return;
        }
        origin.flush();
        if (expectContinue) {
            downstream.sendContinue();
        }
        downstream.requestMore();
    }

    @Override
    public void originConnectFailed(Throwable cause) {
        Server failed = server;
        if (failed != null) {
            log.debug("connect to {} failed: {}", failed.address(), cause.toString());
        }
        serverFailed(AttemptFailure.CONNECT);
        endAttempt();
        if (!finished) {
            // Nothing was sent: always safe to try the next server, whatever the method.
            retryReason = RetryReason.CONNECT_FAILURE;
            pickAndConnect();
        }
    }

    // ---- request body, client to origin ----

    void requestContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (last) {
            requestComplete = true;
        }
        if (!hasBody || origin == null || finished) {
            // A bodyless request's trailing empty content, read before connecting; or a request already answered.
            content.release();
            if (last && startWhenComplete) {
                startWhenComplete = false;
                begin();
            }
            return;
        }
        if (replay != null) {
            replay.add(content);
        }
        if (grpc != null) {
            grpc.moved(downstream.nowNanos());
        }
        origin.writeAndFlush(content);
        if (last) {
            if (mirror != null) {
                mirror.send(replay); // dropped when the body outgrew the replay buffer
                mirror = null;
            }
            requestSent();
            return;
        }
        if (origin.isWritable()) {
            downstream.requestMore();
        } else {
            waitingForOriginWritable = true;
        }
    }

    private void requestSent() {
        requestSent = true;
        if (grpc == null && responseHead == null && responseDeadline == 0) {
            long millis = retry.perTryTimeoutMillis() > 0
                    ? retry.perTryTimeoutMillis() : snapshot.settings().responseHeaderTimeoutMillis();
            responseDeadline = downstream.armDeadline(TimeUnit.MILLISECONDS.toNanos(millis));
        }
    }

    @Override
    public boolean closeWhenOriginSilent() {
        return requestSent;
    }

    @Override
    public void originWritabilityChanged(boolean writable) {
        if (writable && waitingForOriginWritable && !finished) {
            waitingForOriginWritable = false;
            downstream.requestMore();
        }
    }

    // ---- response, origin to client ----

    @Override
    public void originResponseHead(HttpResponse head) {
        int code = head.status().code();
        if (code == 101) {
            switchProtocols(head);
            return;
        }
        if (code >= 100 && code < 200) {
            // 100 Continue is Bascule's own business with the client; other interim responses are dropped too.
            return;
        }
        cancelResponseTimeout();
        long now = downstream.nowNanos();
        snapshot.events().answered(pool, server, code, now - tryStartedNanos);
        if (code >= 500) {
            serverFailed(AttemptFailure.STATUS_5XX);
            if (retry.retriesStatus(code) && mayRetry()) {
                log.debug("{} answered {}; trying again", server.address(), code);
                origin.discard(); // its body is not wanted; closing is cheaper than reading it
                retryElsewhere(RetryReason.STATUS);
                return;
            }
        } else {
            snapshot.events().attemptSucceeded(pool, server);
        }
        server.state().recordLatency(now - tryStartedNanos, now);
        downstream.record().upstreamResponse(now - tryStartedNanos);
        responseHead = head;
        boolean bodyless = headRequest || code == 204 || code == 304;
        originKeepAlive = HeaderRules.wantsKeepAlive(head);
        HttpVersion originVersion = head.protocolVersion();
        keepAliveAfter = HeaderRules.toClient(head, clientVersion, clientKeepAlive, bodyless,
                via == null ? null : via.element(originVersion.majorVersion(), originVersion.minorVersion()));
        RouteHeaders.apply(head.headers(), responseEdits);
        downstream.sendHead(head);
    }

    /**
     * The origin answered 101. To a WebSocket handshake that it accepted, the 101 goes to the client and both
     * connections become a {@link Tunnel}, which takes over the server's in-flight count. The exchange is over;
     * the origin connection never returns to the pool.
     */
    private void switchProtocols(HttpResponse head) {
        cancelResponseTimeout();
        OriginConnection o = origin;
        if (!websocket || !WebSocketHandshake.accepted(head) || !o.switchProtocols()) {
            // RFC 9110 15.2.2: no switch to a protocol the request did not ask for; RFC 6455 4.1: a handshake
            // answered otherwise fails. What the origin sends next is not HTTP: its connection is closed.
            log.debug("{} switched protocols to '{}' unasked", o.remote(),
                    head.headers().get(HttpHeaderNames.UPGRADE));
            serverFailed(AttemptFailure.RESET);
            endAttempt();
            respondError(HttpResponseStatus.BAD_GATEWAY);
            return;
        }
        Server s = server;
        snapshot.events().attemptSucceeded(pool, s);
        long now = downstream.nowNanos();
        snapshot.events().answered(pool, s, 101, now - tryStartedNanos);
        downstream.record().upstreamResponse(now - tryStartedNanos);
        s.state().recordLatency(now - tryStartedNanos, now);
        finished = true;
        origin = null;
        server = null; // its in-flight count is the tunnel's now
        releaseReplay();
        HttpVersion originVersion = head.protocolVersion();
        HeaderRules.toClientSwitching(head,
                via == null ? null : via.element(originVersion.majorVersion(), originVersion.minorVersion()));
        downstream.upgrade(head, new Tunnel(s, o, snapshot.settings().tunnelIdleMillis()));
    }

    @Override
    public void originResponseContent(HttpContent content) {
        if (finished || responseHead == null) {
            content.release();
            return;
        }
        if (grpc != null) {
            grpc.moved(downstream.nowNanos());
        }
        if (!(content instanceof LastHttpContent last)) {
            downstream.sendContent(content);
            if (!downstream.isWritable()) {
                origin.setReading(false);
            }
            return;
        }
        finishResponse(last);
    }

    private void finishResponse(LastHttpContent last) {
        finished = true;
        if (grpc != null) {
            int status = GrpcAnswers.statusIn(last.trailingHeaders());
            downstream.record().grpcStatus(status >= 0 ? status : GrpcAnswers.statusIn(responseHead.headers()));
        }
        OriginConnection o = origin;
        origin = null;
        // Whether the client's connection closes is no reason to close the origin's: judge by what the origin said.
        boolean reusable = requestSent && originKeepAlive && o.isActive();
        endAttempt();
        releaseReplay();
        if (reusable) {
            o.release();
        } else {
            o.discard();
        }
        // An answer that came before the whole request body was read leaves unread bytes on the connection.
        downstream.finish(last, keepAliveAfter && requestComplete);
    }

    @Override
    public void originReadComplete() {
        if (responseHead != null && !finished) {
            downstream.flush();
        }
    }

    void clientWritabilityChanged(boolean writable) {
        if (origin != null && responseHead != null) {
            origin.setReading(writable);
        }
    }

    // ---- failures ----

    @Override
    public void originClosed(Throwable cause) {
        OriginConnection o = origin;
        origin = null;
        if (finished) {
            return;
        }
        cancelResponseTimeout();
        if (responseHead != null) {
            // The body was cut short; the client must not mistake a truncated body for a whole one.
            log.debug("origin {} closed mid-response: {}", o == null ? "?" : o.remote(), String.valueOf(cause));
            serverFailed(AttemptFailure.RESET);
            endAttempt();
            abort();
            return;
        }
        if (cause instanceof RequestNotProcessedException && mayResendUnprocessed()) {
            // RFC 9113 8.7: the origin refused the stream, or its GOAWAY left it out, so the request was not
            // processed: sending it again is safe whatever its method, and no failure of the server.
            log.debug("origin {} did not process the request, sending it again: {}", o == null ? "?" : o.remote(),
                    cause.getMessage());
            retryElsewhere(RetryReason.RESET);
            return;
        }
        if (originReused && !hasBody && !(cause instanceof MalformedResponseException)) {
            // A pooled connection that the origin closed while idle: the request never reached it. Send it again
            // on a fresh connection to the same server; this is not a failure of the server.
            Server s = server;
            sentTries--;
            resetTry();
            if (!downstream.origins().acquire(downstream.eventLoop(), s, pool.originTls(s), pool.protocol(),
                    snapshot.settings().origin(), originQueue(), this)) {
                endAttempt(); // its slot went to a request that was waiting
                untry(s);
                waitForRoom(0);
            }
            return;
        }
        serverFailed(AttemptFailure.RESET);
        log.debug("origin {} failed before responding: {}", o == null ? "?" : o.remote(), String.valueOf(cause));
        // A malformed answer is the origin misbehaving, not a lost connection: sending the request again could
        // repeat its effect on a server that did receive it.
        if (retry.onReset() && !(cause instanceof MalformedResponseException) && mayRetry()) {
            retryElsewhere(RetryReason.RESET);
            return;
        }
        endAttempt();
        respondError(HttpResponseStatus.BAD_GATEWAY);
    }

    /** The connection's timer fired: time out the response if its deadline has passed, else wait on. */
    void checkDeadline(long now) {
        if (grpc != null && !finished) {
            HttpResponseStatus expired = grpc.expired(now);
            if (expired != null) {
                endCall(expired);
                return;
            }
            downstream.rearmDeadline(grpc.nextCheck());
        }
        if (checkQueue(now)) {
            return;
        }
        if (finished || responseHead != null || responseDeadline == 0) {
            return;
        }
        if (now - responseDeadline < 0) {
            downstream.rearmDeadline(responseDeadline);
            return;
        }
        responseDeadline = 0;
        OriginConnection o = origin;
        origin = null;
        if (o != null) {
            o.discard();
        }
        serverFailed(AttemptFailure.TIMEOUT);
        if (retry.on504() && mayRetry()) {
            retryElsewhere(RetryReason.TIMEOUT);
            return;
        }
        endAttempt();
        respondError(HttpResponseStatus.GATEWAY_TIMEOUT);
    }

    private void cancelResponseTimeout() {
        responseDeadline = 0; // the connection's timer, if pending, finds nothing to do
    }

    /**
     * A gRPC call ran out of time (its deadline, or {@code stream_idle}): the origin's stream is reset, and the
     * client is told DEADLINE_EXCEEDED, in a trailers-only answer or in the trailers of a response under way.
     */
    private void endCall(HttpResponseStatus why) {
        OriginConnection o = origin;
        origin = null;
        if (o != null) {
            o.discard();
        }
        endAttempt();
        if (responseHead == null) {
            respondError(why);
            return;
        }
        finished = true;
        releaseOrigin();
        releaseReplay();
        downstream.record().grpcStatus(GrpcAnswers.statusFor(why));
        downstream.finish(GrpcAnswers.failedTrailers(why), false);
    }

    /** No server can take the request: 503, with Retry-After as the pool is expected back. */
    @Override
    void respondUnavailable() {
        if (!finished) {
            downstream.record().status(grpc != null ? 200 : 503, LocalReason.NO_SERVER);
        }
        if (grpc != null) {
            respond(GrpcAnswers.trailersOnly(HttpResponseStatus.SERVICE_UNAVAILABLE));
            return;
        }
        FullHttpResponse r = ErrorResponses.of(HttpResponseStatus.SERVICE_UNAVAILABLE, !(clientKeepAlive && requestComplete));
        r.headers().set(HttpHeaderNames.RETRY_AFTER, "5");
        respond(r);
    }

    /**
     * Answers the client with an error of Bascule's own (a gRPC status for a gRPC call); keeps the connection only
     * if the request was fully read.
     */
    private void respondError(HttpResponseStatus status) {
        if (!finished) {
            downstream.record().status(grpc != null ? 200 : status.code(), LocalReason.ofStatus(status.code()));
        }
        respond(grpc != null ? GrpcAnswers.trailersOnly(status)
                : ErrorResponses.of(status, !(clientKeepAlive && requestComplete)));
    }

    private void respond(FullHttpResponse response) {
        if (finished) {
            response.release();
            return;
        }
        finished = true;
        cancelResponseTimeout();
        releaseOrigin();
        releaseReplay();
        if (grpc != null) {
            downstream.record().grpcStatus(GrpcAnswers.statusIn(response.headers()));
        }
        downstream.answer(response, clientKeepAlive && requestComplete);
    }

    /** The response under way cannot be completed: cut short, or for gRPC ended with UNAVAILABLE in its trailers. */
    private void abort() {
        finished = true;
        cancelResponseTimeout();
        releaseOrigin();
        releaseReplay();
        if (grpc != null && responseHead != null) {
            downstream.record().grpcStatus(GrpcAnswers.statusFor(HttpResponseStatus.BAD_GATEWAY));
            downstream.finish(GrpcAnswers.failedTrailers(HttpResponseStatus.BAD_GATEWAY), false);
        } else {
            downstream.abort();
        }
    }

    /** Lets go of the origin connection, or of the place in the queue. */
    private void releaseOrigin() {
        leaveQueue();
        OriginConnection o = origin;
        origin = null;
        if (o != null) {
            o.discard();
        }
    }

    /**
     * The request cannot be read to its end (a malformed or oversized body, a stalled upload): nothing more goes
     * upstream and the origin connection, which holds a partial request, is discarded, never pooled. The client
     * gets {@code status} if no response has started, else its response is cut short; either way its connection
     * closes, as the rest of its request is still on the wire.
     */
    void failRequest(HttpResponseStatus status) {
        if (finished) {
            return;
        }
        requestComplete = false;
        endAttempt();
        if (responseHead != null) {
            abort();
        } else {
            respondError(status);
        }
    }

    private void releaseReplay() {
        if (replay != null) {
            replay.release();
        }
        if (mirror != null) {
            mirror.drop(); // the exchange ended before the body was read whole
            mirror = null;
        }
    }

    /** The client connection closed; whatever is in flight upstream is abandoned. */
    void clientClosed() {
        if (finished) {
            return;
        }
        if (responseHead == null) {
            // nginx's 499: gone before an answer was sent
            downstream.record().status(ExchangeRecord.CLIENT_CLOSED, null);
        }
        finished = true;
        cancelResponseTimeout();
        releaseOrigin();
        releaseReplay();
        endAttempt();
    }
}
