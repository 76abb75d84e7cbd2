package dev.bascule.proxy;

import dev.bascule.route.RequestFields;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * A request head as a route's header, cookie and method conditions read it. Netty's headers compare names
 * without case and walk one hash bucket per lookup, so reading allocates nothing. An HTTP/2 request's cookie
 * fields arrive joined into one (RFC 9113 8.2.3) by Netty's translation.
 *
 * <p>Threading: one per thread, pointed at each request in turn while its routes are matched, so that neither a
 * request nor a connection needs one of its own.
 */
final class HeadFields implements RequestFields {
    private static final FastThreadLocal<HeadFields> OF_THREAD = new FastThreadLocal<>() {
        @Override
        protected HeadFields initialValue() {
            return new HeadFields();
        }
    };

    private HttpRequest request;

    private HeadFields() {}

    /**
     * The calling thread's instance, reading {@code head} from now on; {@code null} lets go of the last head once
     * the routes have read it.
     */
    static HeadFields reading(HttpRequest head) {
        HeadFields fields = OF_THREAD.get();
        fields.request = head;
        return fields;
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
