package dev.bascule.proxy;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;

/**
 * How Bascule fails a gRPC call in a way gRPC clients understand: HTTP 200 with {@code grpc-status} and {@code
 * grpc-message} in a trailers-only response (gRPC over HTTP/2, "Responses"), or, once the response head has
 * gone out, in the trailers that end it. The status follows what went wrong, as the table and gRPC's
 * "HTTP to gRPC status code mapping" say.
 *
 * <p>Stateless.
 */
final class GrpcAnswers {
    static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
    static final AsciiString GRPC_MESSAGE = AsciiString.cached("grpc-message");
    static final AsciiString GRPC_TIMEOUT = AsciiString.cached("grpc-timeout");
    private static final AsciiString APPLICATION_GRPC = AsciiString.cached("application/grpc");

    static final int DEADLINE_EXCEEDED = 4;
    static final int PERMISSION_DENIED = 7;
    static final int RESOURCE_EXHAUSTED = 8;
    static final int UNIMPLEMENTED = 12;
    static final int INTERNAL = 13;
    static final int UNAVAILABLE = 14;
    static final int UNKNOWN = 2;

    private GrpcAnswers() {}

    /** Whether a request is a gRPC call: its content-type is {@code application/grpc} or {@code application/grpc+...}. */
    static boolean isGrpc(HttpHeaders headers) {
        String type = headers.get(HttpHeaderNames.CONTENT_TYPE);
        return type != null && type.regionMatches(true, 0, "application/grpc", 0, 16)
                && (type.length() == 16 || type.charAt(16) == '+' || type.charAt(16) == ';');
    }

    /** The gRPC status for what Bascule would have answered with {@code status} over plain HTTP. */
    /** The {@code grpc-status} in {@code headers} (0 to 99), or -1 when there is none or it is not a number. */
    static int statusIn(HttpHeaders headers) {
        String v = headers.get(GRPC_STATUS);
        if (v == null || v.isEmpty() || v.length() > 2) {
            return -1;
        }
        int code = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            code = code * 10 + (c - '0');
        }
        return code;
    }

    static int statusFor(HttpResponseStatus status) {
        return switch (status.code()) {
            case 502, 503 -> UNAVAILABLE;      // no server, connect failure, reset, full queue
            case 504, 408 -> DEADLINE_EXCEEDED;
            case 404, 501 -> UNIMPLEMENTED;    // no route
            case 429, 413, 431 -> RESOURCE_EXHAUSTED;
            case 403 -> PERMISSION_DENIED;
            case 400 -> INTERNAL;
            default -> UNKNOWN;
        };
    }

    /** A trailers-only answer: 200, content-type, grpc-status and grpc-message in the one HEADERS frame. */
    static FullHttpResponse trailersOnly(HttpResponseStatus status) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.EMPTY_BUFFER);
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, APPLICATION_GRPC)
                .setInt(GRPC_STATUS, statusFor(status))
                .set(GRPC_MESSAGE, message(status));
        return r;
    }

    /** The end of a response whose head went out already: trailers carrying the failure. */
    static LastHttpContent failedTrailers(HttpResponseStatus status) {
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
        last.trailingHeaders().setInt(GRPC_STATUS, statusFor(status)).set(GRPC_MESSAGE, message(status));
        return last;
    }

    /** A short reason, percent-encoding-free (gRPC messages are percent-encoded; these need none). */
    private static String message(HttpResponseStatus status) {
        return "bascule: " + status.code() + " " + status.reasonPhrase();
    }

    /**
     * A {@code grpc-timeout} value in nanoseconds (gRPC over HTTP/2: 1 to 8 digits and a unit of H, M, S, m, u
     * or n); -1 when absent or malformed, which gRPC servers treat as no deadline.
     */
    static long timeoutNanos(String value) {
        if (value == null || value.length() < 2 || value.length() > 9) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < value.length() - 1; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return switch (value.charAt(value.length() - 1)) {
            case 'H' -> n * 3_600_000_000_000L;
            case 'M' -> n * 60_000_000_000L;
            case 'S' -> n * 1_000_000_000L;
            case 'm' -> n * 1_000_000L;
            case 'u' -> n * 1_000L;
            case 'n' -> n;
            default -> -1;
        };
    }

    /** A deadline to send upstream: the time left, in milliseconds (at least 1), as gRPC writes it. */
    static String timeoutValue(long leftNanos) {
        long millis = Math.max(1, leftNanos / 1_000_000L);
        return millis <= 99_999_999L ? millis + "m" : Math.min(99_999_999L, millis / 1000) + "S";
    }
}
