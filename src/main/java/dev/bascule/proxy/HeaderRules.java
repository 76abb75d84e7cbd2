package dev.bascule.proxy;

import dev.bascule.control.UnderscoreHeaders;
import dev.bascule.http1.Http1Headers;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a message's headers change on the way through: hop-by-hop headers are dropped (RFC 9110 section 7.6.1),
 * forwarding headers and Via (7.6.3) are added, look-alike header names are screened ({@link HeaderNameRules}),
 * and the framing is chosen for the next hop.
 *
 * <p>Stateless; rewrites the message in place so nothing is copied. Logs only at debug, and only for a dropped
 * look-alike name.
 */
final class HeaderRules {
    private static final Logger log = LoggerFactory.getLogger(HeaderRules.class);
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");

    /** Connection options that name no field (RFC 9112 9.3, 9.6). */
    private static final AsciiString[] CONNECTION_OPTIONS = {HttpHeaderValues.KEEP_ALIVE, HttpHeaderValues.CLOSE};
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

    /** The hop-by-hop names, lower case (a copy). */
    static CharSequence[] hopByHopNames() {
        return HOP_BY_HOP.clone();
    }

    /**
     * Turns a client request into the request sent upstream: HTTP/1.1 with keep-alive, hop-by-hop headers gone
     * (including every header the client named in Connection), X-Forwarded-* set, and the body framed as the
     * client framed it. The Host header is passed through.
     *
     * @param target the request target to send (after any prefix strip)
     * @param peerIp the address of the connection's peer, appended to X-Forwarded-For
     * @param peerTrusted the peer is a trusted proxy: its X-Forwarded-For is kept and extended; from anyone
     *     else it is a claim anybody can make, and is replaced by the peer's address
     * @param via this hop's Via element ({@link Via#element}, for the version the client spoke), or null for none
     */
    static void toUpstream(HttpRequest request, String target, String peerIp, boolean peerTrusted, String scheme,
            String via) {
        toUpstream(request, target, peerIp, peerTrusted, scheme, via, false);
    }

    /**
     * As {@link #toUpstream(HttpRequest, String, String, boolean, String, String)}, for a next hop that may take
     * trailers.
     *
     * @param forwardTeTrailers the origin speaks HTTP/2: a client's {@code TE: trailers} is sent on as {@code te:
     *     trailers}. TE is hop-by-hop (RFC 9110 7.6.1), but its {@code trailers} member says the client takes
     *     trailer fields, which a proxy may say again to a next hop that sends them (RFC 9110 10.1.4); on HTTP/2
     *     it is the one TE value allowed (RFC 9113 8.2.2), and gRPC servers require it. An HTTP/1.1 origin gets
     *     no TE, as before.
     */
    static void toUpstream(HttpRequest request, String target, String peerIp, boolean peerTrusted, String scheme,
            String via, boolean forwardTeTrailers) {
        HttpHeaders h = request.headers();
        boolean chunked = HttpUtilLite.isChunked(h);
        boolean teTrailers = forwardTeTrailers && acceptsTrailers(h);
        removeHopByHop(h);
        if (teTrailers) {
            Http1Headers.setChecked(h, HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
        }
        appendVia(h, via);
        // Set after the hop-by-hop strip, so a "Connection: X-Forwarded-For" cannot remove ours.
        String prior = peerTrusted ? joined(h.getAll(X_FORWARDED_FOR)) : null;
        Http1Headers.setChecked(h, X_FORWARDED_FOR, prior == null || prior.isEmpty() ? peerIp : prior + ", " + peerIp);
        Http1Headers.setChecked(h, X_FORWARDED_PROTO, scheme);
        String host = h.get(HttpHeaderNames.HOST);
        if (host != null) {
            Http1Headers.setChecked(h, X_FORWARDED_HOST, host);
        } else {
            h.remove(X_FORWARDED_HOST);
        }
        if (chunked) {
            Http1Headers.setChecked(h, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        request.setUri(target);
    }

    /**
     * Turns an origin response into the one sent to the client.
     *
     * @param bodyless the response has no body whatever its headers say (HEAD request, 1xx, 204, 304)
     * @param via this hop's Via element (for the version the origin answered with), or null for none
     * @return whether the client connection can stay open after this response
     */
    static boolean toClient(HttpResponse response, HttpVersion clientVersion, boolean clientKeepAlive, boolean bodyless,
            String via) {
        HttpHeaders h = response.headers();
        removeHopByHop(h);
        appendVia(h, via);
        boolean keepAlive = clientKeepAlive;
        if (!bodyless && !h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            if (clientVersion.minorVersion() >= 1) {
                Http1Headers.setChecked(h, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            } else {
                keepAlive = false; // an HTTP/1.0 client knows no chunking: the body ends when we close
            }
        }
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (!keepAlive) {
            Http1Headers.setChecked(h, HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (clientVersion.minorVersion() == 0) {
            Http1Headers.setChecked(h, HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return keepAlive;
    }

    /**
     * Puts back, on a WebSocket handshake {@link #toUpstream} has rewritten, the two hop-by-hop fields that ask
     * the next hop to upgrade (RFC 6455 4.1, RFC 9110 7.8); whatever else the client listed in {@code
     * Connection} (Firefox sends {@code keep-alive, Upgrade}) stays dropped. The {@code Sec-WebSocket-*} fields
     * are end to end and went through untouched.
     */
    static void toUpstreamUpgrade(HttpRequest request) {
        HttpHeaders h = request.headers();
        Http1Headers.setChecked(h, HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        Http1Headers.setChecked(h, HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
    }

    /**
     * Turns an origin's {@code 101} to a WebSocket handshake into the one sent to the client: hop-by-hop fields
     * dropped as on any response, then {@code Upgrade: websocket} and {@code Connection: upgrade} set again
     * (RFC 6455 4.2.2), no framing fields (a 1xx has no content, RFC 9110 8.6 and 6.1), and this hop in Via.
     *
     * @param via this hop's Via element (for the version the origin answered with), or null for none
     */
    static void toClientSwitching(HttpResponse response, String via) {
        HttpHeaders h = response.headers();
        removeHopByHop(h);
        h.remove(HttpHeaderNames.CONTENT_LENGTH);
        appendVia(h, via);
        Http1Headers.setChecked(h, HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
        Http1Headers.setChecked(h, HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
    }

    /**
     * Adds this hop to Via (RFC 9110 7.6.3), after the hop-by-hop strip so a Via the sender named in Connection
     * is gone first. Several received Via lines become one list (RFC 9110 5.3) ending with this hop.
     */
    static void appendVia(HttpHeaders h, String element) {
        if (element == null) {
            return;
        }
        if (h.get(HttpHeaderNames.VIA) == null) { // the common case: no list is built
            Http1Headers.setChecked(h, HttpHeaderNames.VIA, element);
            return;
        }
        Http1Headers.setChecked(h, HttpHeaderNames.VIA, Via.appended(joined(h.getAll(HttpHeaderNames.VIA)), element));
    }

    /**
     * Applies {@link HeaderNameRules} to a request's header names: look-alikes of protected names are removed,
     * as are names with an underscore when {@code policy} says drop. Called only for a head in which a name with
     * an underscore or a double hyphen was seen, so ordinary requests never pay for the walk.
     *
     * @return false when the request must be refused instead ({@link UnderscoreHeaders#REJECT})
     */
    static boolean screenNames(HttpHeaders h, UnderscoreHeaders policy) {
        List<CharSequence> remove = null;
        Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence();
        while (it.hasNext()) {
            CharSequence name = it.next().getKey();
            switch (HeaderNameRules.judge(name, policy)) {
                case KEEP -> {
                    continue;
                }
                case REJECT -> {
                    return false;
                }
                case DROP_LOOKALIKE -> log.debug("dropped request header '{}': a look-alike of a framing, hop-by-hop"
                        + " or forwarding header to an origin that reads _ as -", name);
                case DROP -> { }
            }
            if (remove == null) {
                remove = new ArrayList<>(2);
            }
            remove.add(name);
        }
        if (remove != null) {
            for (int i = 0; i < remove.size(); i++) {
                h.remove(remove.get(i));
            }
        }
        return true;
    }

    /** Whether the TE fields list the member {@code trailers} (RFC 9110 10.1.4), in any case, with or without a weight. */
    static boolean acceptsTrailers(HttpHeaders h) {
        if (!h.contains(HttpHeaderNames.TE)) { // most requests have none: no list is built
            return false;
        }
        List<String> te = h.getAll(HttpHeaderNames.TE);
        for (int i = 0; i < te.size(); i++) {
            String value = te.get(i);
            int start = 0;
            int len = value.length();
            while (start < len) {
                int comma = value.indexOf(',', start);
                int end = comma < 0 ? len : comma;
                int semicolon = value.indexOf(';', start);
                int nameEnd = semicolon >= 0 && semicolon < end ? semicolon : end;
                int s = start;
                int e = nameEnd;
                while (s < e && isSpace(value.charAt(s))) {
                    s++;
                }
                while (e > s && isSpace(value.charAt(e - 1))) {
                    e--;
                }
                if (e - s == 8 && value.regionMatches(true, s, "trailers", 0, 8)) {
                    return true;
                }
                start = end + 1;
            }
        }
        return false;
    }

    /** Several X-Forwarded-For fields are one list (RFC 9110 5.3). */
    private static String joined(List<String> values) {
        if (values.isEmpty()) {
            return null;
        }
        return values.size() == 1 ? values.get(0) : String.join(", ", values);
    }

    static void removeHopByHop(HttpHeaders h) {
        if (h.contains(HttpHeaderNames.CONNECTION)
                // Connection: keep-alive or close names no other field: no list to take apart then
                && !(h instanceof Http1Headers own && own.listsOnly(HttpHeaderNames.CONNECTION, CONNECTION_OPTIONS))) {
            List<String> connection = h.getAll(HttpHeaderNames.CONNECTION);
            for (int i = 0; i < connection.size(); i++) {
                removeListed(h, connection.get(i));
            }
        }
        if (h instanceof Http1Headers own) {
            own.removeAll(HOP_BY_HOP);
            return;
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
