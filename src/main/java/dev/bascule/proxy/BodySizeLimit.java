package dev.bascule.proxy;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * A route's {@code max_body_size} applied to one request at a time: the declared Content-Length up front, before
 * any origin is contacted, and the bytes actually read while a chunked body streams (RFC 9110 15.5.14, 413).
 *
 * <p>Threading: confined to the connection's event loop; one per connection, reused by each request.
 */
final class BodySizeLimit {
    private long limit = -1;
    private long seen;

    /**
     * Starts counting a request's body.
     *
     * @param limit largest body in bytes; negative for none
     * @return false when the declared Content-Length is already over the limit
     */
    boolean start(long limit, HttpHeaders headers) {
        this.limit = limit;
        this.seen = 0;
        if (limit < 0) {
            return true;
        }
        String length = headers.get(HttpHeaderNames.CONTENT_LENGTH);
        // RequestValidator has checked it is 1 to 18 digits.
        return length == null || Long.parseLong(length) <= limit;
    }

    /** Counts a piece of the body; false once the body is over the limit. */
    boolean add(HttpContent content) {
        if (limit < 0) {
            return true;
        }
        seen += content.content().readableBytes();
        return seen <= limit;
    }
}
