package dev.bascule.proxy;

import dev.bascule.control.RetryPolicy;
import dev.bascule.control.RouteAction;
import dev.bascule.control.Snapshot;
import dev.bascule.origin.OriginConnection;
import dev.bascule.origin.OriginListener;
import dev.bascule.stats.RetryReason;
import dev.bascule.upstream.AttemptFailure;
import dev.bascule.upstream.Server;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.TimeUnit;

/**
 * The second phase of an {@link Exchange}: the try on the server {@link ServerChoice} chose. It borrows an origin
 * connection to that server (again on a fresh one when the origin had closed a pooled one while idle), counts
 * and times the try, reports how it went to exchange events (passive health), and bounds the wait for the
 * response head. Whether a failed try goes again is {@link Retries}'s to decide.
 *
 * <p>A base class of the exchange rather than an object of its own, so that a request still allocates one
 * object. Of the classes above it, it calls only what it declares abstract ({@link #respondError}) and {@link
 * #resetTry}, which they extend with their own state of a try.
 *
 * <p>Threading: confined to the client connection's event loop, like its exchange; origin connections are
 * opened on that same loop, so every {@link OriginListener} callback arrives there too.
 */
abstract sealed class OriginTry extends ServerChoice implements OriginListener permits Retries {
    private final Snapshot snapshot;
    private final RetryPolicy retry;
    private final boolean hasBody;

    private Server server;
    private OriginConnection origin;
    private boolean originReused;
    /** Tries that reached the point of sending the request (connect failures not counted). */
    private int sentTries;
    /** Why the next try is a retry, counted when it starts; null when it is the first (or a resend). */
    private RetryReason retryReason;
    private long tryStartedNanos;
    /** When the response head of the current try is due ({@link LazyTimer#now()} time); 0 when none is awaited. */
    private long responseDeadline;

    /** Reads the request's framing, so it must run before the head is rewritten for upstream. */
    OriginTry(Snapshot snapshot, RouteAction action, HttpRequest request, Downstream downstream) {
        super(action.pool(), request, downstream);
        this.snapshot = snapshot;
        this.retry = action.retry();
        this.hasBody = HttpUtilLite.hasBody(request.headers());
    }

    /** Answers the client with an error of Bascule's own (a gRPC status for a gRPC call); the exchange is over. */
    abstract void respondError(HttpResponseStatus status);

    /** The snapshot the request was admitted under; it holds for the whole exchange, retries included. */
    final Snapshot snapshot() {
        return snapshot;
    }

    /** The route's retry policy, which also sets the per-try timeout. */
    final RetryPolicy retry() {
        return retry;
    }

    /** Whether the request carries a body (RFC 9112 6.3), as the client framed it. */
    final boolean hasBody() {
        return hasBody;
    }

    /** The current try's origin connection; null before it is open and once it is let go of. */
    final OriginConnection origin() {
        return origin;
    }

    /** The current try's server; null between tries. */
    final Server server() {
        return server;
    }

    /** Whether the current connection came from the pool rather than being opened for this try. */
    final boolean originReused() {
        return originReused;
    }

    /** Tries that reached the point of sending the request. */
    final int sentTries() {
        return sentTries;
    }

    /** Whether an earlier try sent the request already, so this one sends its body from the replay buffer. */
    final boolean sentBefore() {
        return sentTries > 1;
    }

    // ---- starting a try ----

    /** The next try is a retry for {@code reason}; it is counted when the try starts. */
    final void retryBecause(RetryReason reason) {
        retryReason = reason;
    }

    final void pickAndConnect() {
        Server s = pick();
        if (s == null) {
            if (!triedAny()) {
                respondUnavailable();
            } else {
                respondError(HttpResponseStatus.BAD_GATEWAY);
            }
            return;
        }
        connectWhenRoom(s);
    }

    /**
     * Connects to {@code s}, or, when its upstream caps connections, to a server of the pool that has room; when
     * none has, the request waits in the upstream's queue.
     */
    final void connectWhenRoom(Server s) {
        Server chosen = s;
        if (originQueue() != null && (chosen = withRoom(s)) == null) {
            waitForRoom(0);
            return;
        }
        connectTo(chosen);
    }

    @Override
    final void connectTo(Server s) {
        server = s;
        remember(s);
        downstream().record().attempt(s.address());
        if (retryReason != null) {
            snapshot.events().retried(pool(), retryReason);
            retryReason = null;
        }
        s.state().requestStarted();
        tryStartedNanos = downstream().nowNanos();
        long waitingUntil = takeQueueDeadline();
        if (!downstream().origins().acquire(downstream().eventLoop(), s, pool().originTls(s), pool().protocol(),
                snapshot.settings().origin(), originQueue(), this)) {
            // Another event loop took the server's last slot since the pick.
            endAttempt();
            untry(s);
            waitForRoom(waitingUntil);
        }
    }

    /** The try's connection is open; the request goes on it next. */
    final void connected(OriginConnection connection, boolean reused) {
        origin = connection;
        originReused = reused;
        sentTries++;
    }

    /**
     * The pooled connection the request went on had been closed by the origin while idle, so the request never
     * reached it: it goes again on a fresh connection to the same server, and the try does not count as sent.
     */
    final void resendOnFreshConnection() {
        Server s = server;
        sentTries--;
        resetTry();
        if (!downstream().origins().acquire(downstream().eventLoop(), s, pool().originTls(s), pool().protocol(),
                snapshot.settings().origin(), originQueue(), this)) {
            endAttempt(); // its slot went to a request that was waiting
            untry(s);
            waitForRoom(0);
        }
    }

    final void endAttempt() {
        Server s = server;
        if (s != null) {
            server = null;
            s.state().requestFinished();
        }
    }

    /** Forgets the try that failed, before the next one starts; the classes above add their own state of a try. */
    void resetTry() {
        cancelResponseTimeout();
        origin = null;
        originReused = false;
    }

    // ---- passive health and exchange events ----

    final void serverFailed(AttemptFailure failure) {
        Server s = server;
        if (s != null) {
            snapshot.events().attemptFailed(pool(), s, failure);
        }
    }

    /**
     * The origin's final response head for this try came with {@code code}: the response timeout is off and the
     * answer is reported.
     *
     * @return the time it came, for {@link #answerTaken}
     */
    final long answered(int code) {
        cancelResponseTimeout();
        long now = downstream().nowNanos();
        snapshot.events().answered(pool(), server, code, now - tryStartedNanos);
        return now;
    }

    final void attemptSucceeded() {
        snapshot.events().attemptSucceeded(pool(), server);
    }

    /** The answer that came at {@code now} is the one the client gets: its latency counts for the server. */
    final void answerTaken(long now) {
        server.state().recordLatency(now - tryStartedNanos, now);
        downstream().record().upstreamResponse(now - tryStartedNanos);
    }

    /**
     * The origin's 101 was accepted and the connections become a {@link Tunnel}: reports the answer, and lets go of
     * the server and its connection without ending the attempt.
     *
     * @return the server, whose in-flight count is the tunnel's from now on
     */
    final Server passToTunnel() {
        Server s = server;
        snapshot.events().attemptSucceeded(pool(), s);
        long now = downstream().nowNanos();
        snapshot.events().answered(pool(), s, 101, now - tryStartedNanos);
        downstream().record().upstreamResponse(now - tryStartedNanos);
        s.state().recordLatency(now - tryStartedNanos, now);
        origin = null;
        server = null; // its in-flight count is the tunnel's now
        return s;
    }

    // ---- the response timeout ----

    /** The request is sent whole: its response head is due within the per-try timeout, else the upstream's. */
    final void armResponseTimeout() {
        if (responseDeadline == 0) {
            long millis = retry.perTryTimeoutMillis() > 0
                    ? retry.perTryTimeoutMillis() : snapshot.settings().responseHeaderTimeoutMillis();
            responseDeadline = downstream().armDeadline(TimeUnit.MILLISECONDS.toNanos(millis));
        }
    }

    final void cancelResponseTimeout() {
        responseDeadline = 0; // the connection's timer, if pending, finds nothing to do
    }

    /**
     * The connection's timer fired while the response head is awaited.
     *
     * @return whether the head is overdue now (the timeout is then off); false when none is awaited, or when it
     *     is not due yet and the timer is armed again for it
     */
    final boolean responseOverdue(long now) {
        if (responseDeadline == 0) {
            return false;
        }
        if (now - responseDeadline < 0) {
            downstream().rearmDeadline(responseDeadline);
            return false;
        }
        responseDeadline = 0;
        return true;
    }

    // ---- letting go of the connection ----

    /** Takes the origin connection out of the try, to release, discard or hand on; null when there is none. */
    final OriginConnection takeOrigin() {
        OriginConnection o = origin;
        origin = null;
        return o;
    }

    /** Closes the origin connection, if any: it holds a request or response that will not be completed. */
    final void discardOrigin() {
        OriginConnection o = takeOrigin();
        if (o != null) {
            o.discard();
        }
    }

    /** Lets go of the origin connection, or of the place in the queue. */
    final void releaseOrigin() {
        leaveQueue();
        discardOrigin();
    }
}
