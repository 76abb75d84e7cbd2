package dev.bascule.proxy;

import dev.bascule.balance.AffinityHash;
import dev.bascule.balance.PickContext;
import dev.bascule.control.Pool;
import dev.bascule.control.RetryPolicy;
import dev.bascule.control.RouteAction;
import dev.bascule.control.Snapshot;
import dev.bascule.origin.OriginConnection;
import dev.bascule.origin.OriginListener;
import dev.bascule.upstream.AffinityKey;
import dev.bascule.upstream.Server;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request and its response, from the moment its head is read until the last byte of the response is
 * written: picks a server, borrows an origin connection, streams the body both ways with back-pressure, retries
 * a failed connect on another server, and maps origin failures to 502/503/504.
 *
 * <p>Threading: confined to the client connection's event loop; origin connections are opened on that same
 * loop, so every callback arrives there too.
 */
final class Exchange implements OriginListener, PickContext {
    private static final Logger log = LoggerFactory.getLogger(Exchange.class);
    private static final Server[] NONE = new Server[0];

    private final FrontendHandler frontend;
    private final Channel client;
    private final Snapshot snapshot;
    private final Pool pool;
    private final RetryPolicy retry;
    private final HttpRequest request;
    private final HttpVersion clientVersion;
    private final boolean clientKeepAlive;
    private final boolean headRequest;
    private final boolean hasBody;
    private final boolean expectContinue;

    private Server server;
    private OriginConnection origin;
    private boolean originReused;
    private Server[] tried = NONE;
    private int triedCount;
    private long affinityHash;
    private boolean affinityHashKnown;

    private boolean bodyForwarded;
    private boolean requestComplete;
    private boolean requestSent;
    private boolean waitingForOriginWritable;
    private HttpResponse responseHead;
    private boolean responseStarted;
    private boolean keepAliveAfter;
    private boolean finished;
    private ScheduledFuture<?> responseTimeout;

    Exchange(FrontendHandler frontend, Snapshot snapshot, RouteAction action, HttpRequest request, String target) {
        this.frontend = frontend;
        this.client = frontend.context().channel();
        this.snapshot = snapshot;
        this.pool = action.pool();
        this.retry = action.retry();
        this.request = request;
        this.clientVersion = request.protocolVersion();
        this.clientKeepAlive = HeaderRules.wantsKeepAlive(request) && !frontend.closing();
        this.headRequest = HttpMethod.HEAD.equals(request.method());
        this.hasBody = HttpUtilLite.hasBody(request.headers());
        this.expectContinue = request.headers().containsValue(HttpHeaderNames.EXPECT, HttpHeaderValues.CONTINUE, true);
        if (expectContinue) {
            // Bascule answers 100 Continue itself once an origin is ready to take the body.
            request.headers().remove(HttpHeaderNames.EXPECT);
        }
        HeaderRules.toUpstream(request, target, frontend.clientIp(), frontend.scheme());
    }

    void start() {
        if (!hasBody) {
            // The empty LastHttpContent that follows a bodyless request is read now, so the request is complete
            // before any connection is opened and can be sent again on another one.
            frontend.readRequest();
        }
        if (!finished) {
            pickAndConnect();
        }
    }

    // ---- choosing a server ----

    private void pickAndConnect() {
        Server s = pool.balancer().pick(this);
        if (s == null) {
            respondError(triedCount == 0 ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.BAD_GATEWAY);
            return;
        }
        server = s;
        remember(s);
        s.state().requestStarted();
        frontend.origins().acquire(client.eventLoop(), s.socketAddress(), this);
    }

    private void remember(Server s) {
        if (triedCount == tried.length) {
            Server[] grown = new Server[Math.max(2, tried.length * 2)];
            System.arraycopy(tried, 0, grown, 0, triedCount);
            tried = grown;
        }
        tried[triedCount++] = s;
    }

    private void endAttempt() {
        Server s = server;
        if (s != null) {
            server = null;
            s.state().requestFinished();
        }
    }

    @Override
    public boolean excluded(Server candidate) {
        for (int i = 0; i < triedCount; i++) {
            if (tried[i] == candidate) {
                return true;
            }
        }
        return false;
    }

    @Override
    public long affinityHash() {
        if (!affinityHashKnown) {
            affinityHash = computeAffinityHash();
            affinityHashKnown = true;
        }
        return affinityHash;
    }

    private long computeAffinityHash() {
        AffinityKey key = pool.affinityKey();
        String value = switch (key.source()) {
            case CLIENT_IP -> null;
            case HEADER -> request.headers().get(key.name());
            case COOKIE -> Cookies.value(request.headers().get(HttpHeaderNames.COOKIE), key.name());
        };
        return value == null ? frontend.clientIpHash() : AffinityHash.hash64(value);
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
        if (request.headers().get(HttpHeaderNames.HOST) == null) {
            request.headers().set(HttpHeaderNames.HOST, server.address()); // an HTTP/1.0 client sent none
        }
        origin.write(request);
        if (!hasBody) {
            origin.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            requestSent();
            return;
        }
        origin.flush();
        if (expectContinue && triedCount == 1) {
            client.writeAndFlush(
                    new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE), client.voidPromise());
        }
        frontend.readRequest();
    }

    @Override
    public void originConnectFailed(Throwable cause) {
        Server failed = server;
        if (failed != null) {
            failed.state().recordFailure();
            log.debug("connect to {} failed: {}", failed.address(), cause.toString());
        }
        endAttempt();
        if (!finished) {
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
            return;
        }
        bodyForwarded = true;
        if (last) {
            origin.writeAndFlush(content);
            requestSent();
            return;
        }
        origin.writeAndFlush(content);
        if (origin.isWritable()) {
            frontend.readRequest();
        } else {
            waitingForOriginWritable = true;
        }
    }

    private void requestSent() {
        requestSent = true;
        if (responseHead == null && responseTimeout == null) {
            responseTimeout = client.eventLoop().schedule(
                    this::responseTimedOut, snapshot.settings().responseHeaderTimeoutMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void originWritabilityChanged(boolean writable) {
        if (writable && waitingForOriginWritable && !finished) {
            waitingForOriginWritable = false;
            frontend.readRequest();
        }
    }

    // ---- response, origin to client ----

    @Override
    public void originResponseHead(HttpResponse head) {
        int code = head.status().code();
        if (code >= 100 && code < 200) {
            // 100 Continue is Bascule's own business with the client; other interim responses are dropped too,
            // as no upgrade was forwarded.
            return;
        }
        cancelResponseTimeout();
        responseHead = head;
        boolean bodyless = headRequest || code == 204 || code == 304;
        keepAliveAfter = HeaderRules.toClient(head, clientVersion, clientKeepAlive, bodyless);
        responseStarted = true;
        client.write(head, client.voidPromise());
    }

    @Override
    public void originResponseContent(HttpContent content) {
        if (finished || responseHead == null) {
            content.release();
            return;
        }
        if (!(content instanceof LastHttpContent)) {
            client.write(content, client.voidPromise());
            if (!client.isWritable()) {
                origin.setReading(false);
            }
            return;
        }
        finishResponse(content);
    }

    private void finishResponse(HttpContent last) {
        finished = true;
        OriginConnection o = origin;
        origin = null;
        boolean reusable = requestSent && HeaderRules.wantsKeepAlive(responseHead) && o.isActive();
        endAttempt();
        if (reusable) {
            o.release();
        } else {
            o.discard();
        }
        // An answer that came before the whole request body was read leaves unread bytes on the connection.
        boolean keepAlive = keepAliveAfter && requestComplete;
        if (keepAlive) {
            client.writeAndFlush(last, client.voidPromise());
        } else {
            client.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
        }
        frontend.exchangeFinished(this, keepAlive);
    }

    @Override
    public void originReadComplete() {
        if (responseStarted && !finished) {
            client.flush();
        }
    }

    void clientWritabilityChanged(boolean writable) {
        if (origin != null && responseStarted) {
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
        if (responseStarted) {
            // The body was cut short; the client must not mistake a truncated body for a whole one.
            log.debug("origin {} closed mid-response: {}", o == null ? "?" : o.remote(), String.valueOf(cause));
            endAttempt();
            abort();
            return;
        }
        if (originReused && !hasBody) {
            // A pooled connection that the origin closed while idle: the request never reached it. Send it again
            // on a fresh connection to the same server.
            Server s = server;
            originReused = false;
            requestSent = false;
            frontend.origins().acquire(client.eventLoop(), s.socketAddress(), this);
            return;
        }
        if (server != null) {
            server.state().recordFailure();
        }
        endAttempt();
        log.debug("origin {} failed before responding: {}", o == null ? "?" : o.remote(), String.valueOf(cause));
        respondError(HttpResponseStatus.BAD_GATEWAY);
    }

    private void responseTimedOut() {
        responseTimeout = null;
        if (finished || responseHead != null) {
            return;
        }
        OriginConnection o = origin;
        origin = null;
        if (server != null) {
            server.state().recordFailure();
        }
        endAttempt();
        if (o != null) {
            o.discard();
        }
        respondError(HttpResponseStatus.GATEWAY_TIMEOUT);
    }

    private void cancelResponseTimeout() {
        if (responseTimeout != null) {
            responseTimeout.cancel(false);
            responseTimeout = null;
        }
    }

    /** Answers the client with an error of Bascule's own; keeps the connection only if the request was fully read. */
    private void respondError(HttpResponseStatus status) {
        if (finished) {
            return;
        }
        finished = true;
        cancelResponseTimeout();
        releaseOrigin();
        boolean keepAlive = clientKeepAlive && requestComplete;
        if (keepAlive) {
            client.writeAndFlush(ErrorResponses.of(status, false), client.voidPromise());
        } else {
            client.writeAndFlush(ErrorResponses.of(status, true)).addListener(ChannelFutureListener.CLOSE);
        }
        frontend.exchangeFinished(this, keepAlive);
    }

    private void abort() {
        finished = true;
        cancelResponseTimeout();
        releaseOrigin();
        client.close();
        frontend.exchangeFinished(this, false);
    }

    private void releaseOrigin() {
        OriginConnection o = origin;
        origin = null;
        if (o != null) {
            o.discard();
        }
    }

    /** The client connection closed; whatever is in flight upstream is abandoned. */
    void clientClosed() {
        if (finished) {
            return;
        }
        finished = true;
        cancelResponseTimeout();
        releaseOrigin();
        endAttempt();
    }
}
