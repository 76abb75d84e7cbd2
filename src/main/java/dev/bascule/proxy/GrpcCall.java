package dev.bascule.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.TimeUnit;

/**
 * The clocks of one gRPC call. HTTP's {@code response_header} and {@code client_body_idle} do not apply: a
 * streaming call may wait minutes for its first message either way. Instead the client's {@code grpc-timeout}
 * bounds the whole call (and goes upstream as the time left), and {@code stream_idle} ends a call that moves no
 * message either way for that long.
 *
 * <p>Threading: confined to its exchange's event loop. Made only for gRPC requests.
 */
final class GrpcCall {
    /** When the client's deadline passes (data-plane clock); 0 without one. */
    private final long deadline;
    private final long idleNanos;
    private long lastFrame;

    GrpcCall(HttpHeaders headers, long now, long streamIdleMillis) {
        long timeout = GrpcAnswers.timeoutNanos(headers.get(GrpcAnswers.GRPC_TIMEOUT));
        this.deadline = timeout < 0 ? 0 : now + Math.max(1, timeout);
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(streamIdleMillis);
        this.lastFrame = now;
    }

    /** A message piece went one way or the other. */
    void moved(long now) {
        lastFrame = now;
    }

    /** When to look again. */
    long nextCheck() {
        long idleAt = lastFrame + idleNanos;
        return deadline != 0 && deadline - idleAt < 0 ? deadline : idleAt;
    }

    /**
     * @return what to end the call with when its deadline passed or it idled out; null while it may go on
     */
    HttpResponseStatus expired(long now) {
        if (deadline != 0 && now - deadline >= 0) {
            return HttpResponseStatus.GATEWAY_TIMEOUT; // DEADLINE_EXCEEDED
        }
        if (now - lastFrame >= idleNanos) {
            return HttpResponseStatus.REQUEST_TIMEOUT; // idle: DEADLINE_EXCEEDED too
        }
        return null;
    }

    /** Sends the client's deadline upstream less the time already spent, so the server gives up when it does. */
    void forwardDeadline(HttpHeaders upstream, long now) {
        if (deadline != 0) {
            upstream.set(GrpcAnswers.GRPC_TIMEOUT, GrpcAnswers.timeoutValue(deadline - now));
        }
    }
}
