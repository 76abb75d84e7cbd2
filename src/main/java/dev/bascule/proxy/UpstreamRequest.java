package dev.bascule.proxy;

import dev.bascule.control.Protocol;
import dev.bascule.control.RouteAction;
import dev.bascule.control.Snapshot;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

/**
 * What an admitted request becomes for the next hop, set once when its {@link Exchange} is made: the hop's own
 * rewriting ({@link HeaderRules}), tracing, the WebSocket upgrade, the route's {@code request_headers}, and
 * {@code Expect: 100-continue}, which Bascule answers itself. The request is sent as it is then on every try.
 *
 * <p>Stateless; edits the request in place, on the client connection's event loop that owns it.
 */
final class UpstreamRequest {
    private UpstreamRequest() {}

    /** RFC 9110 9.2.2: methods whose repetition has the same intended effect. */
    static boolean isIdempotent(HttpMethod m) {
        return m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS || m == HttpMethod.TRACE
                || m == HttpMethod.PUT || m == HttpMethod.DELETE;
    }

    /**
     * Rewrites {@code request} for upstream. Whatever reads the client's own fields (keep-alive, framing, gRPC)
     * reads them before this.
     *
     * @param target the request-target to send, as {@link Admission} chose it
     * @param via this hop's Via builder; null when Via is off
     * @param websocket the request is a WebSocket handshake that {@link Admission} checked
     * @return whether the client sent {@code Expect: 100-continue}, now removed
     */
    static boolean rewrite(HttpRequest request, String target, Downstream downstream, Snapshot snapshot,
            RouteAction action, Via via, boolean websocket) {
        boolean expectContinue =
                request.headers().containsValue(HttpHeaderNames.EXPECT, HttpHeaderValues.CONTINUE, true);
        if (expectContinue) {
            // Bascule answers 100 Continue itself once an origin is ready to take the body.
            request.headers().remove(HttpHeaderNames.EXPECT);
        }
        HttpVersion received = downstream.receivedVersion();
        HeaderRules.toUpstream(request, target, downstream.client().peerIp(), downstream.client().peerTrusted(),
                downstream.scheme(), via == null ? null : via.element(received.majorVersion(), received.minorVersion()),
                action.pool().protocol() != Protocol.HTTP1);
        RequestTracing.toUpstream(request.headers(), snapshot.settings(), downstream.record());
        if (websocket) {
            HeaderRules.toUpstreamUpgrade(request);
        }
        RouteHeaders.apply(request.headers(), action.requestHeaders());
        return expectContinue;
    }
}
