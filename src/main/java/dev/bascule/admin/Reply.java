package dev.bascule.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bascule.config.ConfigError;
import dev.bascule.config.ConfigException;
import dev.bascule.control.CommandException;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admin answer before it becomes a response: a status, a content type and the body's bytes (JSON but for
 * {@code GET /metrics}).
 *
 * <p>Immutable (the array is not written once the reply is built), so it may be built on the control thread and
 * written on an event loop.
 *
 * @param allow the {@code Allow} header of a 405 (RFC 9110 §15.5.6), else null
 * @param challenge the {@code WWW-Authenticate} header of a 401 (RFC 9110 §11.6.1), else null
 * @param asset how a file of the dashboard may be cached and what the page may load, else null (an API answer,
 *     never stored: {@code Cache-Control: no-store})
 */
record Reply(HttpResponseStatus status, CharSequence contentType, byte[] body, String allow, String challenge,
        Asset asset) {

    /**
     * The headers of a dashboard file.
     *
     * @param etag its strong validator (RFC 9110 §8.8.3), quotes included
     * @param cacheControl how long a browser may reuse it without asking (RFC 9111 §5.2.2)
     */
    record Asset(String etag, String cacheControl) {}

    /**
     * What the dashboard may load and run: its own scripts, styles and images and nothing inline, its own API
     * only, and no framing (clickjacking its buttons). Sent with every file of it.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final Logger log = LoggerFactory.getLogger(Reply.class);

    /** A JSON answer. */
    Reply(HttpResponseStatus status, JsonNode body) {
        this(status, body, null);
    }

    /** A JSON answer, with the {@code Allow} header of a 405. */
    Reply(HttpResponseStatus status, JsonNode body, String allow) {
        this(status, HttpHeaderValues.APPLICATION_JSON, Json.bytes(body), allow, null, null);
    }

    /** A 200 with a body that is not JSON. */
    static Reply ok(String contentType, byte[] body) {
        return new Reply(HttpResponseStatus.OK, contentType, body, null, null, null);
    }

    /** A file of the dashboard, or {@code 304 Not Modified} without a body when the browser's copy is current. */
    static Reply asset(String contentType, byte[] body, Asset asset, boolean notModified) {
        return notModified
                ? new Reply(HttpResponseStatus.NOT_MODIFIED, contentType, new byte[0], null, null, asset)
                : new Reply(HttpResponseStatus.OK, contentType, body, null, null, asset);
    }

    /** A 401 {@code {"error": message}} that asks for a bearer token with {@code challenge}. */
    static Reply unauthorized(String challenge, String message) {
        ObjectNode body = Json.object();
        body.put("error", message);
        return new Reply(HttpResponseStatus.UNAUTHORIZED, HttpHeaderValues.APPLICATION_JSON, Json.bytes(body), null,
                challenge, null);
    }

    /** {@code {"error": message}}. */
    static Reply error(HttpResponseStatus status, String message) {
        ObjectNode body = Json.object();
        body.put("error", message);
        return new Reply(status, body);
    }

    static Reply notFound() {
        return error(HttpResponseStatus.NOT_FOUND, "no such path");
    }

    static Reply methodNotAllowed(String method, String allow) {
        ObjectNode body = Json.object();
        body.put("error", "method " + method + " not allowed here; allowed: " + allow);
        return new Reply(HttpResponseStatus.METHOD_NOT_ALLOWED, body, allow);
    }

    /**
     * The answer to a failed command: a refusal keeps its status and message, a rejected config lists every
     * error, anything else is logged here and answered 500 without details (no stack trace leaves the process).
     */
    static Reply failure(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof CommandException e) {
            return error(HttpResponseStatus.valueOf(e.status()), e.getMessage());
        }
        if (cause instanceof ConfigException e) {
            ObjectNode body = Json.object();
            body.put("error", "config rejected, nothing changed");
            ArrayNode errors = body.putArray("errors");
            for (ConfigError err : e.errors()) {
                errors.add(err.toString());
            }
            return new Reply(HttpResponseStatus.BAD_REQUEST, body);
        }
        if (cause instanceof RejectedExecutionException) {
            return error(HttpResponseStatus.SERVICE_UNAVAILABLE, "shutting down");
        }
        log.error("admin request failed", cause);
        return error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error");
    }

    /** The response, framed by Content-Length, in the request's HTTP version so keep-alive means the same. */
    FullHttpResponse toResponse(HttpVersion version, boolean keepAlive) {
        FullHttpResponse r = new DefaultFullHttpResponse(version, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        if (!status.equals(HttpResponseStatus.NOT_MODIFIED)) {
            // A 304 has no body; a Content-Length there would describe the copy the browser holds (RFC 9110 §8.6).
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        }
        if (asset == null) {
            r.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        } else {
            r.headers()
                    .set(HttpHeaderNames.CACHE_CONTROL, asset.cacheControl())
                    .set(HttpHeaderNames.ETAG, asset.etag())
                    .set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY)
                    .set("X-Content-Type-Options", "nosniff")
                    .set("Referrer-Policy", "no-referrer");
        }
        if (allow != null) {
            r.headers().set(HttpHeaderNames.ALLOW, allow);
        }
        if (challenge != null) {
            r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, challenge);
        }
        HttpUtil.setKeepAlive(r, keepAlive);
        return r;
    }
}
