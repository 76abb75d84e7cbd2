package dev.bascule.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * How a message's headers change on the way through: hop-by-hop headers are dropped (RFC 9110 section 7.6.1),
 * forwarding headers are added, and the framing is chosen for the next hop.
 *
 * <p>Stateless; rewrites the message in place so nothing is copied.
 */
final class HeaderRules {
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");

    /** Headers that describe one connection, not the message (RFC 9110 7.6.1, RFC 9112 7, plus legacy ones). */
    private static final AsciiString[] HOP_BY_HOP = {
        HttpHeaderNames.CONNECTION,
        HttpHeaderNames.KEEP_ALIVE,
        PROXY_CONNECTION,
        HttpHeaderNames.TE,
        HttpHeaderNames.TRAILER,
        HttpHeaderNames.TRANSFER_ENCODING,
        HttpHeaderNames.UPGRADE,
        HttpHeaderNames.PROXY_AUTHENTICATE,
        HttpHeaderNames.PROXY_AUTHORIZATION,
    };

    private HeaderRules() {}

    /**
     * Turns a client request into the request sent upstream: HTTP/1.1 with keep-alive, hop-by-hop headers gone
     * (including every header the client named in Connection), X-Forwarded-* set, and the body framed as the
     * client framed it. The Host header is passed through.
     *
     * @param target the request target to send (after any prefix strip)
     * @param peerIp the address of the connection's peer, appended to X-Forwarded-For
     * @param peerTrusted the peer is a trusted proxy: its X-Forwarded-For is kept and extended; from anyone
     *     else it is a claim anybody can make, and is replaced by the peer's address
     */
    static void toUpstream(HttpRequest request, String target, String peerIp, boolean peerTrusted, String scheme) {
        HttpHeaders h = request.headers();
        boolean chunked = HttpUtilLite.isChunked(h);
        removeHopByHop(h);
        // Set after the hop-by-hop strip, so a "Connection: X-Forwarded-For" cannot remove ours.
        String prior = peerTrusted ? joined(h.getAll(X_FORWARDED_FOR)) : null;
        h.set(X_FORWARDED_FOR, prior == null || prior.isEmpty() ? peerIp : prior + ", " + peerIp);
        h.set(X_FORWARDED_PROTO, scheme);
        String host = h.get(HttpHeaderNames.HOST);
        if (host != null) {
            h.set(X_FORWARDED_HOST, host);
        } else {
            h.remove(X_FORWARDED_HOST);
        }
        if (chunked) {
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        request.setUri(target);
    }

    /**
     * Turns an origin response into the one sent to the client.
     *
     * @param bodyless the response has no body whatever its headers say (HEAD request, 1xx, 204, 304)
     * @return whether the client connection can stay open after this response
     */
    static boolean toClient(HttpResponse response, HttpVersion clientVersion, boolean clientKeepAlive, boolean bodyless) {
        HttpHeaders h = response.headers();
        removeHopByHop(h);
        boolean keepAlive = clientKeepAlive;
        if (!bodyless && !h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            if (clientVersion.minorVersion() >= 1) {
                h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            } else {
                keepAlive = false; // an HTTP/1.0 client knows no chunking: the body ends when we close
            }
        }
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (!keepAlive) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (clientVersion.minorVersion() == 0) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return keepAlive;
    }

    /** Several X-Forwarded-For fields are one list (RFC 9110 5.3). */
    private static String joined(List<String> values) {
        if (values.isEmpty()) {
            return null;
        }
        return values.size() == 1 ? values.get(0) : String.join(", ", values);
    }

    static void removeHopByHop(HttpHeaders h) {
        if (h.contains(HttpHeaderNames.CONNECTION)) { // most origin responses have none: skip the list then
            List<String> connection = h.getAll(HttpHeaderNames.CONNECTION);
            for (int i = 0; i < connection.size(); i++) {
                removeListed(h, connection.get(i));
            }
        }
        for (AsciiString name : HOP_BY_HOP) {
            h.remove(name);
        }
    }

    /** Removes each header named in a Connection value such as {@code "close, X-Foo"}. */
    private static void removeListed(HttpHeaders h, String value) {
        int start = 0;
        int len = value.length();
        while (start < len) {
            int comma = value.indexOf(',', start);
            int end = comma < 0 ? len : comma;
            int s = start;
            int e = end;
            while (s < e && isSpace(value.charAt(s))) {
                s++;
            }
            while (e > s && isSpace(value.charAt(e - 1))) {
                e--;
            }
            if (e > s) {
                String token = value.substring(s, e);
                if (!token.equalsIgnoreCase("close") && !token.equalsIgnoreCase("keep-alive")) {
                    h.remove(token);
                }
            }
            start = end + 1;
        }
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    /** Whether a message's own headers ask to keep the connection (HTTP/1.1 default yes, 1.0 default no). */
    static boolean wantsKeepAlive(HttpMessage m) {
        HttpHeaders h = m.headers();
        if (h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true)) {
            return false;
        }
        if (m.protocolVersion().minorVersion() == 0) {
            return h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE, true);
        }
        return true;
    }
}
