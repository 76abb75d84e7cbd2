package dev.bascule.http1;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * The last piece of a body that ended without trailers (a Content-Length body's last bytes): its trailer headers
 * are made only if someone asks for them, where Netty's {@code DefaultLastHttpContent} makes a header map for every
 * response.
 *
 * <p>Threading: not thread-safe; belongs to the one message, on its connection's event loop.
 */
final class Http1LastContent extends DefaultLastHttpContent {
    private HttpHeaders trailers;

    Http1LastContent(ByteBuf content) {
        super(content, EmptyHttpHeaders.INSTANCE); // never returned: trailingHeaders() is overridden
    }

    @Override
    public HttpHeaders trailingHeaders() {
        HttpHeaders t = trailers;
        if (t == null) {
            t = new Http1Headers();
            trailers = t;
        }
        return t;
    }
}
