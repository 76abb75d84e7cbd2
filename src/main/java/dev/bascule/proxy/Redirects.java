package dev.bascule.proxy;

import dev.bascule.control.HeaderEdits;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The answer of a redirect route: its status, {@code Location} (RFC 9110 10.2.2), and a one-line plain body for
 * clients that do not follow it, edited by the route's {@code response_headers} as a relayed response would
 * be. No {@code Cache-Control}: a 301 or 308 is meant to be cached (RFC 9110 15.4.2), and the others are not
 * cached unless told to.
 *
 * <p>Stateless.
 */
final class Redirects {
    private Redirects() {}

    /** @param close the connection closes after this answer */
    static FullHttpResponse of(HttpResponseStatus status, String location, boolean close, HeaderEdits edits) {
        byte[] body = (status.code() + " " + status.reasonPhrase() + "\n").getBytes(StandardCharsets.US_ASCII);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers()
                .set(HttpHeaderNames.LOCATION, location)
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (close) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        RouteHeaders.apply(r.headers(), edits);
        return r;
    }
}
