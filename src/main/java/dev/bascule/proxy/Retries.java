package dev.bascule.proxy;

import dev.bascule.control.Protocol;
import dev.bascule.control.RouteAction;
import dev.bascule.control.Snapshot;
import dev.bascule.origin.MalformedResponseException;
import dev.bascule.origin.OriginConnection;
import dev.bascule.origin.RequestNotProcessedException;
import dev.bascule.stats.RetryReason;
import dev.bascule.upstream.AttemptFailure;
import dev.bascule.upstream.Server;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The third phase of an {@link Exchange}: what a failed try leads to. A failed connect, or a request the origin
 * did not process, always goes again (nothing was done); a reset, a response timeout or a 5xx goes again only as
 * the route's retry policy and the upstream's retry budget allow, and only for a request that is safe to repeat
 * and can be sent again whole. Another try goes to another server when the pool has one. Otherwise the client
 * gets 502 or 504.
 *
 * <p>A base class of the exchange rather than an object of its own, so that a request still allocates one
 * object. Of the classes above it, it calls only what it and its bases declare abstract ({@link #bodyInHand},
 * {@link #respondError}, {@link #finished}) and {@link #resetTry}.
 *
 * <p>Threading: confined to the client connection's event loop, like its exchange.
 */
abstract sealed class Retries extends OriginTry permits RequestForwarding {
    /** Named after the exchange: what a retry logs is part of the exchange's story, under the name it always had. */
    private static final Logger log = LoggerFactory.getLogger(Exchange.class);
    /** Sends of one request the origin may refuse unprocessed (REFUSED_STREAM, GOAWAY) before it gets a 502. */
    static final int MAX_UNPROCESSED_RESENDS = 3;

    private final boolean idempotent;
    /** Tries the origin did not process ({@link RequestNotProcessedException}), sent again already. */
    private int unprocessedResends;

    /** Reads the request's method and framing, so it must run before the head is rewritten for upstream. */
    Retries(Snapshot snapshot, RouteAction action, HttpRequest request, Downstream downstream) {
        super(snapshot, action, request, downstream);
        this.idempotent = UpstreamRequest.isIdempotent(request.method());
    }

    /**
     * Whether the request can be sent again as it is: it has no body, or its body was read to its end and is
     * whole in the replay buffer.
     */
    abstract boolean bodyInHand();

    /**
     * Whether the request's body must be kept as it streams ({@link ReplayBuffer}): to send it again on a retry,
     * or on HTTP/2, where a request of any method may have to be sent again when the origin did not process it;
     * a mirrored request's copy needs the whole body too.
     */
    final boolean keepsBody(boolean mirrored) {
        return hasBody() && (idempotent && retry().attempts() > 1 || pool().protocol() != Protocol.HTTP1 || mirrored);
    }

    @Override
    public final void originConnectFailed(Throwable cause) {
        Server failed = server();
        if (failed != null) {
            log.debug("connect to {} failed: {}", failed.address(), cause.toString());
        }
        serverFailed(AttemptFailure.CONNECT);
        endAttempt();
        if (!finished()) {
            // Nothing was sent: always safe to try the next server, whatever the method.
            retryBecause(RetryReason.CONNECT_FAILURE);
            pickAndConnect();
        }
    }

    /**
     * The origin's final response head for this try came: reports it, and passes it over for another try when it
     * is a 5xx that the route retries and a retry may be made.
     *
     * @return whether the exchange relays this answer; false when another try started instead
     */
    final boolean acceptAnswer(int code) {
        long now = answered(code);
        if (code >= 500) {
            serverFailed(AttemptFailure.STATUS_5XX);
            if (retry().retriesStatus(code) && mayRetry()) {
                log.debug("{} answered {}; trying again", server().address(), code);
                origin().discard(); // its body is not wanted; closing is cheaper than reading it
                retryElsewhere(RetryReason.STATUS);
                return false;
            }
        } else {
            attemptSucceeded();
        }
        answerTaken(now);
        return true;
    }

    /**
     * The try's connection {@code o} closed before a response head came (the exchange took it already): the
     * request goes again when the origin did not process it, or when the origin had closed the pooled connection
     * while idle; otherwise the server failed, and the request is retried where that is allowed, else answered 502.
     */
    final void closedBeforeAnswer(OriginConnection o, Throwable cause) {
        if (cause instanceof RequestNotProcessedException && mayResendUnprocessed()) {
            // RFC 9113 8.7: the origin refused the stream, or its GOAWAY left it out, so the request was not
            // processed: sending it again is safe whatever its method, and no failure of the server.
            log.debug("origin {} did not process the request, sending it again: {}", o == null ? "?" : o.remote(),
                    cause.getMessage());
            retryElsewhere(RetryReason.RESET);
            return;
        }
        if (originReused() && !hasBody() && !(cause instanceof MalformedResponseException)) {
            // A pooled connection that the origin closed while idle: the request never reached it. Send it again
            // on a fresh connection to the same server; this is not a failure of the server.
            resendOnFreshConnection();
            return;
        }
        serverFailed(AttemptFailure.RESET);
        log.debug("origin {} failed before responding: {}", o == null ? "?" : o.remote(), String.valueOf(cause));
        // A malformed answer is the origin misbehaving, not a lost connection: sending the request again could
        // repeat its effect on a server that did receive it.
        if (retry().onReset() && !(cause instanceof MalformedResponseException) && mayRetry()) {
            retryElsewhere(RetryReason.RESET);
            return;
        }
        endAttempt();
        respondError(HttpResponseStatus.BAD_GATEWAY);
    }

    /**
     * The connection's timer fired while the response head is awaited: when it is overdue, the try timed out, and
     * is retried where that is allowed, else answered 504.
     */
    final void checkResponseTimeout(long now) {
        if (!responseOverdue(now)) {
            return;
        }
        discardOrigin();
        serverFailed(AttemptFailure.TIMEOUT);
        if (retry().on504() && mayRetry()) {
            retryElsewhere(RetryReason.TIMEOUT);
            return;
        }
        endAttempt();
        respondError(HttpResponseStatus.GATEWAY_TIMEOUT);
    }

    /**
     * Whether a try that failed after the request was (maybe) sent may be repeated: attempts left, a request
     * that is safe to send again, and room in the upstream's retry budget.
     */
    private boolean mayRetry() {
        if (sentTries() >= retry().attempts() || !idempotent) {
            return false;
        }
        if (!bodyInHand()) {
            return false;
        }
        return pool().retryBudget().tryRetry();
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
        if (!bodyInHand()) {
            return false;
        }
        unprocessedResends++;
        return true;
    }

    /** Starts another try, on another server when the pool has one. */
    private void retryElsewhere(RetryReason reason) {
        retryBecause(reason);
        Server last = server();
        endAttempt();
        resetTry();
        Server s = pick();
        if (s == null && last != null && pool().candidates().contains(last)) {
            s = last; // a one-server pool: the same server beats no answer
            if (originQueue() != null) {
                forgetTried(); // and should it have to wait, that server is one it may wait for
            }
        }
        if (s == null) {
            respondError(HttpResponseStatus.BAD_GATEWAY);
            return;
        }
        connectWhenRoom(s);
    }
}
