package dev.bascule.proxy;

import io.netty.handler.codec.http.HttpContent;

/**
 * A route's {@code max_body_size} applied to the bytes actually read while a body streams (RFC 9110 15.5.14,
 * 413); the declared Content-Length is checked up front by {@link Admission}.
 *
 * <p>Threading: confined to the connection's event loop; one per connection, reused by each request.
 */
final class BodySizeLimit {
    private long limit = -1;
    private long seen;

    /**
     * Starts counting a request's body; {@link Admission} has refused one whose declared length is over.
     *
     * @param limit largest body in bytes; negative for none
     */
    void start(long limit) {
        this.limit = limit;
        this.seen = 0;
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
