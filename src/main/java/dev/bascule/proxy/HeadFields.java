package dev.bascule.proxy;

import dev.bascule.route.RequestFields;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;

/**
 * A request head as a route's header, cookie and method conditions read it. Netty's headers compare names
 * without case and walk one hash bucket per lookup, so reading allocates nothing. An HTTP/2 request's cookie
 * fields arrive joined into one (RFC 9113 8.2.3) by Netty's translation.
 *
 * <p>Threading: one per {@link Admission}, confined to its event loop; pointed at each request in turn.
 */
final class HeadFields implements RequestFields {
    private HttpRequest request;

    /** Reads {@code head} from now on; returns this. */
    HeadFields of(HttpRequest head) {
        this.request = head;
        return this;
    }

    @Override
    public String method() {
        return request.method().name();
    }

    @Override
    public CharSequence field(String name) {
        return request.headers().get(name);
    }

    @Override
    public boolean hasField(String name, String value) {
        HttpHeaders h = request.headers();
        return h.contains(name, value, false);
    }
}
