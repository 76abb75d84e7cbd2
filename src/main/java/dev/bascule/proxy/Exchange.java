package dev.bascule.proxy;

import dev.bascule.control.HeaderEdits;
import dev.bascule.control.RouteAction;
import dev.bascule.control.Snapshot;
import dev.bascule.http1.SpareHeads;
import dev.bascule.origin.OriginConnection;
import dev.bascule.stats.ExchangeRecord;
import dev.bascule.stats.LocalReason;
import dev.bascule.upstream.AttemptFailure;
import dev.bascule.upstream.Server;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
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
 * <p>One object, written as a chain of base classes by phase so that a request still allocates one object:
 * {@link ServerChoice} chooses each try's server, {@link OriginTry} makes the try, {@link Retries} decides what
 * a failed try leads to, {@link RequestForwarding} sends the request; this class relays the response and ends
 * the exchange, with an answer of Bascule's own when it must.
 *
 * <p>Threading: confined to the client connection's event loop; origin connections are opened on that same
 * loop, so every callback arrives there too.
 */
final class Exchange extends RequestForwarding {
    private static final Logger log = LoggerFactory.getLogger(Exchange.class);

    /** The route's edits of the response sent to the client. */
    private final HeaderEdits responseEdits;

    private HttpResponse responseHead;
    private boolean keepAliveAfter;
    /** The origin's own answer on keeping its connection, read before the head is rewritten for the client. */
    private boolean originKeepAlive;
    private boolean finished;

    Exchange(Downstream downstream, Snapshot snapshot, RouteAction action, HttpRequest request, String target) {
        this(downstream, snapshot, action, request, target, false);
    }

    /** @param websocket the request is a WebSocket handshake that {@link Admission} checked */
    Exchange(Downstream downstream, Snapshot snapshot, RouteAction action, HttpRequest request, String target,
            boolean websocket) {
        super(downstream, snapshot, action, request, target, websocket);
        this.responseEdits = action.responseHeaders();
    }

    @Override
    boolean finished() {
        return finished;
    }

    @Override
    boolean responseStarted() {
        return responseHead != null;
    }

    @Override
    void resetTry() {
        super.resetTry();
        responseHead = null;
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
        if (!acceptAnswer(code)) {
            return; // a 5xx passed over for another try
        }
        responseHead = head;
        boolean bodyless = HttpMethod.HEAD.equals(request().method()) || code == 204 || code == 304;
        originKeepAlive = HeaderRules.wantsKeepAlive(head);
        HttpVersion originVersion = head.protocolVersion();
        keepAliveAfter = HeaderRules.toClient(head, clientVersion(), clientKeepAlive(), bodyless,
                via() == null ? null : via().element(originVersion.majorVersion(), originVersion.minorVersion()));
        RouteHeaders.apply(head.headers(), responseEdits);
        downstream().sendHead(head);
    }

    /**
     * The origin answered 101. To a WebSocket handshake that it accepted, the 101 goes to the client and both
     * connections become a {@link Tunnel}, which takes over the server's in-flight count. The exchange is over;
     * the origin connection never returns to the pool.
     */
    private void switchProtocols(HttpResponse head) {
        cancelResponseTimeout();
        OriginConnection o = origin();
        if (!websocket() || !WebSocketHandshake.accepted(head) || !o.switchProtocols()) {
            // RFC 9110 15.2.2: no switch to a protocol the request did not ask for; RFC 6455 4.1: a handshake
            // answered otherwise fails. What the origin sends next is not HTTP: its connection is closed.
            log.debug("{} switched protocols to '{}' unasked", o.remote(),
                    head.headers().get(HttpHeaderNames.UPGRADE));
            serverFailed(AttemptFailure.RESET);
            endAttempt();
            respondError(HttpResponseStatus.BAD_GATEWAY);
            return;
        }
        Server s = passToTunnel();
        finished = true;
        releaseReplay();
        HttpVersion originVersion = head.protocolVersion();
        HeaderRules.toClientSwitching(head,
                via() == null ? null : via().element(originVersion.majorVersion(), originVersion.minorVersion()));
        downstream().upgrade(head, new Tunnel(s, o, snapshot().settings().tunnelIdleMillis()));
    }

    @Override
    public void originResponseContent(HttpContent content) {
        if (finished || responseHead == null) {
            content.release();
            return;
        }
        if (grpc() != null) {
            grpc().moved(downstream().nowNanos());
        }
        if (!(content instanceof LastHttpContent last)) {
            downstream().sendContent(content);
            if (!downstream().isWritable()) {
                origin().setReading(false);
            }
            return;
        }
        finishResponse(last);
    }

    private void finishResponse(LastHttpContent last) {
        finished = true;
        if (grpc() != null) {
            int status = GrpcAnswers.statusIn(last.trailingHeaders());
            downstream().record().grpcStatus(status >= 0 ? status : GrpcAnswers.statusIn(responseHead.headers()));
        }
        OriginConnection o = takeOrigin();
        // Whether the client's connection closes is no reason to close the origin's: judge by what the origin said.
        boolean reusable = wholeRequestSent() && originKeepAlive && o.isActive();
        endAttempt();
        releaseReplay();
        if (reusable) {
            o.release();
        } else {
            o.discard();
        }
        // An answer that came before the whole request body was read leaves unread bytes on the connection.
        downstream().finish(last, keepAliveAfter && requestComplete());
        // The head is written (or made frames) by now, and a finished exchange reads it no more.
        SpareHeads.giveBack(responseHead);
    }

    @Override
    public void originReadComplete() {
        if (responseHead != null && !finished) {
            downstream().flush();
        }
    }

    void clientWritabilityChanged(boolean writable) {
        OriginConnection o = origin();
        if (o != null && responseHead != null) {
            o.setReading(writable);
        }
    }

    // ---- failures ----

    @Override
    public void originClosed(Throwable cause) {
        OriginConnection o = takeOrigin();
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
        closedBeforeAnswer(o, cause);
    }

    /** The connection's timer fired: time out the response if its deadline has passed, else wait on. */
    void checkDeadline(long now) {
        if (grpc() != null && !finished) {
            HttpResponseStatus expired = grpc().expired(now);
            if (expired != null) {
                endCall(expired);
                return;
            }
            downstream().rearmDeadline(grpc().nextCheck());
        }
        if (checkQueue(now)) {
            return;
        }
        if (finished || responseHead != null) {
            return;
        }
        checkResponseTimeout(now);
    }

    /**
     * A gRPC call ran out of time (its deadline, or {@code stream_idle}): the origin's stream is reset, and the
     * client is told DEADLINE_EXCEEDED, in a trailers-only answer or in the trailers of a response under way.
     */
    private void endCall(HttpResponseStatus why) {
        discardOrigin();
        endAttempt();
        if (responseHead == null) {
            respondError(why);
            return;
        }
        finished = true;
        releaseOrigin();
        releaseReplay();
        downstream().record().grpcStatus(GrpcAnswers.statusFor(why));
        downstream().finish(GrpcAnswers.failedTrailers(why), false);
    }

    /** No server can take the request: 503, with Retry-After as the pool is expected back. */
    @Override
    void respondUnavailable() {
        if (!finished) {
            downstream().record().status(grpc() != null ? 200 : 503, LocalReason.NO_SERVER);
        }
        if (grpc() != null) {
            respond(GrpcAnswers.trailersOnly(HttpResponseStatus.SERVICE_UNAVAILABLE));
            return;
        }
        FullHttpResponse r =
                ErrorResponses.of(HttpResponseStatus.SERVICE_UNAVAILABLE, !(clientKeepAlive() && requestComplete()));
        r.headers().set(HttpHeaderNames.RETRY_AFTER, "5");
        respond(r);
    }

    /**
     * Answers the client with an error of Bascule's own (a gRPC status for a gRPC call); keeps the connection only
     * if the request was fully read.
     */
    @Override
    void respondError(HttpResponseStatus status) {
        if (!finished) {
            downstream().record().status(grpc() != null ? 200 : status.code(), LocalReason.ofStatus(status.code()));
        }
        respond(grpc() != null ? GrpcAnswers.trailersOnly(status)
                : ErrorResponses.of(status, !(clientKeepAlive() && requestComplete())));
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
        if (grpc() != null) {
            downstream().record().grpcStatus(GrpcAnswers.statusIn(response.headers()));
        }
        downstream().answer(response, clientKeepAlive() && requestComplete());
    }

    /** The response under way cannot be completed: cut short, or for gRPC ended with UNAVAILABLE in its trailers. */
    private void abort() {
        finished = true;
        cancelResponseTimeout();
        releaseOrigin();
        releaseReplay();
        if (grpc() != null && responseHead != null) {
            downstream().record().grpcStatus(GrpcAnswers.statusFor(HttpResponseStatus.BAD_GATEWAY));
            downstream().finish(GrpcAnswers.failedTrailers(HttpResponseStatus.BAD_GATEWAY), false);
        } else {
            downstream().abort();
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
        requestLeftUnread();
        endAttempt();
        if (responseHead != null) {
            abort();
        } else {
            respondError(status);
        }
    }

    /** The client connection closed; whatever is in flight upstream is abandoned. */
    void clientClosed() {
        if (finished) {
            return;
        }
        if (responseHead == null) {
            // nginx's 499: gone before an answer was sent
            downstream().record().status(ExchangeRecord.CLIENT_CLOSED, null);
        }
        finished = true;
        cancelResponseTimeout();
        releaseOrigin();
        releaseReplay();
        endAttempt();
    }
}
