package dev.bascule.proxy;

import dev.bascule.control.RouteAction;
import dev.bascule.control.Snapshot;
import dev.bascule.origin.OriginConnection;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * The fourth phase of an {@link Exchange}: the request, client to origin. It reads what the client's head says
 * of the exchange before the head is rewritten for upstream ({@link UpstreamRequest}), starts the first try once
 * the request may be sent again (a bodyless one when it is whole), writes the head on each try's connection and
 * streams the body with back-pressure (the next piece is read only when the origin takes more), keeping it in a
 * {@link ReplayBuffer} where it may have to go again, and hands the route's {@link MirrorCopy} on once the
 * request is whole.
 *
 * <p>A base class of the exchange rather than an object of its own, so that a request still allocates one
 * object. Of the exchange it calls only what it and its bases declare abstract ({@link #responseStarted},
 * {@link #finished}, {@link #respondUnavailable}, {@link #respondError}) and {@link #resetTry}.
 *
 * <p>Threading: confined to the client connection's event loop, like its exchange.
 */
abstract sealed class RequestForwarding extends Retries permits Exchange {
    private final HttpVersion clientVersion;
    private final boolean clientKeepAlive;
    private final boolean expectContinue;
    private final ReplayBuffer replay;
    /** Builds this hop's Via elements; null when Via is off. */
    private final Via via;
    /** The clocks of a gRPC call; null for any other request. */
    private final GrpcCall grpc;
    /** A WebSocket handshake ({@link Admission#websocket()}): an origin's 101 turns it into a tunnel. */
    private final boolean websocket;
    /** The copy for the route's mirror until it is sent (once the request is whole); null when none is due. */
    private MirrorCopy mirror;

    private boolean requestComplete;
    /** A bodyless request waits for its trailing empty content before {@link #begin} picks a server. */
    private boolean startWhenComplete;
    private boolean requestSent;
    private boolean waitingForOriginWritable;

    /** @param websocket the request is a WebSocket handshake that {@link Admission} checked */
    RequestForwarding(Downstream downstream, Snapshot snapshot, RouteAction action, HttpRequest request,
            String target, boolean websocket) {
        super(snapshot, action, request, downstream);
        this.websocket = websocket;
        this.clientVersion = request.protocolVersion();
        this.clientKeepAlive = HeaderRules.wantsKeepAlive(request) && !downstream.closing();
        this.via = Via.of(snapshot.settings());
        this.grpc = GrpcAnswers.isGrpc(request.headers())
                ? new GrpcCall(request.headers(), downstream.nowNanos(), snapshot.settings().streamIdleMillis()) : null;
        this.expectContinue = UpstreamRequest.rewrite(request, target, downstream, snapshot, action, via, websocket);
        this.mirror = MirrorCopy.of(action.mirror(), request, downstream, snapshot.settings(), websocket);
        this.replay = keepsBody(mirror != null) ? new ReplayBuffer() : null;
    }

    /** Whether the response head of the current try was sent to the client. */
    abstract boolean responseStarted();

    /** The HTTP version the client spoke, read before the head was rewritten for upstream. */
    final HttpVersion clientVersion() {
        return clientVersion;
    }

    /** Whether the client wants its connection kept (and it is not closing). */
    final boolean clientKeepAlive() {
        return clientKeepAlive;
    }

    final Via via() {
        return via;
    }

    final GrpcCall grpc() {
        return grpc;
    }

    final boolean websocket() {
        return websocket;
    }

    /** Whether the request was read to its end. */
    final boolean requestComplete() {
        return requestComplete;
    }

    /** Whether the current try sent the whole request. */
    final boolean wholeRequestSent() {
        return requestSent;
    }

    /** The rest of the request cannot be read: it is not complete, and the client's connection cannot be kept. */
    final void requestLeftUnread() {
        requestComplete = false;
    }

    void start() {
        if (!hasBody() && !requestComplete) {
            // The empty LastHttpContent that follows a bodyless request is read first, so the request is complete
            // before any connection is opened: it can be sent again on another one, and an answer of Bascule's
            // own (503) keeps the connection. The decoder hands it over just after the head, so it usually
            // arrives after this read returns; requestContent then carries on.
            startWhenComplete = true;
            downstream().requestMore();
            return;
        }
        begin();
    }

    private void begin() {
        if (finished()) {
            return;
        }
        if (mirror != null && !hasBody()) {
            mirror.send(); // on a later turn of the loop, after this request's own work
            mirror = null;
        }
        pool().retryBudget().requestStarted();
        if (grpc != null) {
            downstream().rearmDeadline(grpc.nextCheck());
        }
        if (pool().rejectWhenNoneRoutable()) {
            respondUnavailable();
            return;
        }
        pickAndConnect();
    }

    @Override
    public final void originConnected(OriginConnection connection, boolean reused) {
        if (finished()) {
            // The client left while we were connecting; nothing was sent, so the connection is clean.
            connection.release();
            return;
        }
        connected(connection, reused);
        HttpRequest request = request();
        if (request.headers().get(HttpHeaderNames.HOST) == null) {
            request.headers().set(HttpHeaderNames.HOST, server().address()); // an HTTP/1.0 client sent none
        }
        if (grpc != null) {
            grpc.forwardDeadline(request.headers(), downstream().nowNanos());
        }
        origin().write(request);
        if (!hasBody()) {
            origin().writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            requestSent();
            return;
        }
        if (sentBefore()) {
            // A retry: the whole body is in the replay buffer (mayRetry checked it).
            replay.writeTo(origin());
            requestSent();
            return;
        }
        origin().flush();
        if (expectContinue) {
            downstream().sendContinue();
        }
        downstream().requestMore();
    }

    void requestContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (last) {
            requestComplete = true;
        }
        if (!hasBody() || origin() == null || finished()) {
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
            grpc.moved(downstream().nowNanos());
        }
        origin().writeAndFlush(content);
        if (last) {
            if (mirror != null) {
                mirror.send(replay); // dropped when the body outgrew the replay buffer
                mirror = null;
            }
            requestSent();
            return;
        }
        if (origin().isWritable()) {
            downstream().requestMore();
        } else {
            waitingForOriginWritable = true;
        }
    }

    private void requestSent() {
        requestSent = true;
        if (grpc == null && !responseStarted()) {
            armResponseTimeout();
        }
    }

    @Override
    final boolean bodyInHand() {
        return !hasBody() || replay != null && replay.complete() && requestComplete;
    }

    @Override
    void resetTry() {
        super.resetTry();
        requestSent = false;
        waitingForOriginWritable = false;
    }

    @Override
    public final boolean closeWhenOriginSilent() {
        return requestSent;
    }

    @Override
    public final void originWritabilityChanged(boolean writable) {
        if (writable && waitingForOriginWritable && !finished()) {
            waitingForOriginWritable = false;
            downstream().requestMore();
        }
    }

    /** Lets go of the body kept for sending again, and of a mirror copy not sent yet. */
    final void releaseReplay() {
        if (replay != null) {
            replay.release();
        }
        if (mirror != null) {
            mirror.drop(); // the exchange ended before the body was read whole
            mirror = null;
        }
    }
}
