package dev.bascule.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;

/** Small header tests that avoid the allocations of the general-purpose helpers. */
final class HttpUtilLite {
    private HttpUtilLite() {}

    static boolean isChunked(HttpHeaders h) {
        return h.containsValue(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED, true);
    }

    /** Whether a request carries a body: a non-zero Content-Length or chunked framing (RFC 9112 6.3). */
    static boolean hasBody(HttpHeaders h) {
        if (isChunked(h)) {
            return true;
        }
        String cl = h.get(HttpHeaderNames.CONTENT_LENGTH);
        return cl != null && !cl.equals("0");
    }
}
