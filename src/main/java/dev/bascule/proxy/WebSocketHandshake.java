package dev.bascule.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * The rules of a WebSocket opening handshake (RFC 6455 section 4) as far as a proxy checks them: which requests
 * ask for a WebSocket, which of those are well formed enough to forward, and which origin answers switch the
 * connection over. Bascule does not speak WebSocket itself: the origin computes {@code Sec-WebSocket-Accept} and
 * the client checks it; a forwarded handshake then becomes a byte {@link Tunnel}.
 *
 * <p>Stateless and pure; allocates nothing for a request that does not ask for a WebSocket.
 */
final class WebSocketHandshake {
    /** The one version RFC 6455 defines (section 4.1, item 9), and the one Bascule forwards. */
    static final AsciiString VERSION = AsciiString.cached("13");
    /** A base64 encoding of 16 bytes is 22 characters and two pad characters (RFC 4648 section 4). */
    private static final int KEY_LENGTH = 24;

    private WebSocketHandshake() {}

    /**
     * Whether {@code request} asks for a WebSocket: an HTTP/1.1 request whose {@code Upgrade} lists {@code
     * websocket}. An HTTP/1.0 request's {@code Upgrade} is ignored (RFC 9110 7.8), and so are other protocols
     * ({@code h2c}): for those the field is stripped as hop-by-hop and the request goes on as plain HTTP.
     */
    static boolean requested(HttpRequest request) {
        HttpVersion v = request.protocolVersion();
        return v.majorVersion() == 1 && v.minorVersion() >= 1
                && request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    /**
     * Checks a request that {@link #requested asks for a WebSocket} (RFC 6455 4.1 and 4.2.1).
     *
     * @return null when it may be forwarded; else 400 for a malformed handshake, or 426 for a {@code
     *     Sec-WebSocket-Version} other than 13 (RFC 6455 4.4), to be answered with {@link #addVersionRequired}
     */
    static HttpResponseStatus check(HttpRequest request) {
        HttpHeaders h = request.headers();
        if (!HttpMethod.GET.equals(request.method())
                // A list such as Firefox's "keep-alive, Upgrade", in any case, and over several lines.
                || !h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                // The handshake has no body; one would leave the bytes after the head ambiguous between the
                // body and the tunnel.
                || HttpUtilLite.hasBody(h)) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        List<String> versions = h.getAll(HttpHeaderNames.SEC_WEBSOCKET_VERSION);
        if (versions.size() != 1) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        if (!VERSION.contentEquals(versions.get(0))) {
            return HttpResponseStatus.UPGRADE_REQUIRED;
        }
        List<String> keys = h.getAll(HttpHeaderNames.SEC_WEBSOCKET_KEY);
        if (keys.size() != 1 || !validKey(keys.get(0))) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        return null;
    }

    /**
     * Whether {@code key} is the base64 encoding of 16 bytes (RFC 6455 4.1, item 7): 22 characters of the base64
     * alphabet and {@code ==}. Pad bits are not checked (RFC 4648 3.5 leaves that to the decoder): the key is
     * the origin's to hash, Bascule only keeps out what no client would send.
     */
    static boolean validKey(String key) {
        if (key.length() != KEY_LENGTH || key.charAt(22) != '=' || key.charAt(23) != '=') {
            return false;
        }
        for (int i = 0; i < 22; i++) {
            char c = key.charAt(i);
            boolean base64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '+' || c == '/';
            if (!base64) {
                return false;
            }
        }
        return true;
    }

    /**
     * Completes a 426 answer: the versions Bascule forwards (RFC 6455 4.4) and the protocol required, which a 426
     * must name in {@code Upgrade} (RFC 9110 15.5.22), with the {@code upgrade} option that goes with it (7.8).
     */
    static void addVersionRequired(HttpHeaders h) {
        h.set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, VERSION);
        h.set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
        String connection = h.get(HttpHeaderNames.CONNECTION);
        h.set(HttpHeaderNames.CONNECTION, connection == null ? "upgrade" : connection + ", upgrade");
    }

    /**
     * Whether an origin's {@code 101} to a forwarded handshake switches to WebSocket: {@code Upgrade: websocket}
     * and a {@code Sec-WebSocket-Accept} (RFC 6455 4.2.2). The client fails a handshake answered otherwise (4.1),
     * and so does Bascule, before opening a tunnel; the value of the accept is the client's to check.
     */
    static boolean accepted(HttpResponse response) {
        HttpHeaders h = response.headers();
        return response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()
                && h.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                && h.contains(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT);
    }
}
