package dev.bascule.proxy;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Turns a client's HTTP/2 request fields into the request head the exchange reads, and a response head into
 * HTTP/2 fields, in one pass each. Netty's {@code HttpConversionUtil} does the same work more generally: it adds
 * stream-id and scheme fields for HTTP/1 handlers (which Bascule then removed), validates every field again, and
 * builds a map of the names {@code Connection} lists for each response.
 *
 * <p>Validation is not repeated here, as both sides were validated where they came in: the client's fields by
 * Netty's HPACK decoder (names, values, pseudo-fields and the fields HTTP/2 forbids, RFC 9113 8.2), and a
 * response's by Bascule's HTTP/1 response decoder, the origin's HTTP/2 decoder, or Bascule's own config.
 *
 * <p>Stateless.
 */
final class Http2Fields {
    /** The client's fields, validated already by the HPACK decoder: a second check would find nothing. */
    private static final HttpHeadersFactory UNCHECKED = DefaultHttpHeadersFactory.headersFactory()
            .withNameValidation(false).withValueValidation(false);
    private static final AsciiString TRAILERS = AsciiString.cached("trailers");

    private Http2Fields() {}

    /**
     * The request head of a client's HEADERS: {@code :authority} becomes Host, cookie crumbs are joined into one
     * field (RFC 9113 8.2.3), {@code :scheme} and the other pseudo-fields go (the method and target are the
     * request line's).
     *
     * @throws IllegalArgumentException when {@code :method} or the target is missing
     */
    static HttpRequest request(Http2Headers in) {
        CharSequence method = in.method();
        if (method == null) {
            throw new IllegalArgumentException("no :method");
        }
        boolean connect = HttpMethod.CONNECT.asciiName().contentEquals(method);
        CharSequence target = connect ? in.authority() : in.path();
        if (target == null || target.length() == 0) {
            throw new IllegalArgumentException(connect ? "no :authority" : "no :path");
        }
        HttpHeaders out = UNCHECKED.newHeaders();
        StringBuilder cookies = null;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = in.iterator(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> field = it.next();
            CharSequence name = field.getKey();
            CharSequence value = field.getValue();
            if (name.length() > 0 && name.charAt(0) == ':') {
                if (Http2Headers.PseudoHeaderName.AUTHORITY.value().contentEquals(name)) {
                    out.add(HttpHeaderNames.HOST, value);
                }
            } else if (HttpHeaderNames.COOKIE.contentEquals(name)) {
                if (cookies == null) {
                    cookies = new StringBuilder(value.length() + 16);
                } else {
                    cookies.append("; ");
                }
                cookies.append(value);
            } else if (!HttpHeaderNames.TRAILER.contentEquals(name)
                    && !HttpHeaderNames.TRANSFER_ENCODING.contentEquals(name)) {
                out.add(name, value); // (the decoder refuses transfer-encoding; the framing here is Bascule's)
            }
        }
        if (cookies != null) {
            out.add(HttpHeaderNames.COOKIE, cookies.toString());
        }
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method.toString()),
                target.toString(), out);
    }

    /**
     * A request head's Host: {@code :authority} became one, and a host field the client also sent is kept: one value, or two equal
     * ones (made one here), is well formed.
     */
    static boolean sameHost(HttpHeaders h) {
        List<String> hosts = h.getAll(HttpHeaderNames.HOST);
        if (hosts.size() < 2) {
            return true;
        }
        String first = hosts.get(0);
        for (int i = 1; i < hosts.size(); i++) {
            if (!first.equalsIgnoreCase(hosts.get(i))) {
                return false;
            }
        }
        h.set(HttpHeaderNames.HOST, first);
        return true;
    }

    /** A request's trailers, as the last content of its body; names and values were validated by the decoder. */
    static LastHttpContent trailers(int streamId, Http2Headers in) throws Http2Exception {
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, false);
        HttpConversionUtil.addHttp2ToHttpHeaders(streamId, in, last.trailingHeaders(), HttpVersion.HTTP_1_1, true,
                true);
        return last;
    }

    /**
     * The HTTP/2 fields of a response head: {@code :status}, then its fields with lowercase names, less those HTTP/2
     * forbids (RFC 9113 8.2.2) and those its Connection field names. With {@code hsts}, Strict-Transport-Security
     * is the listener's, whatever the origin sent.
     */
    static Http2Headers response(HttpResponse head, AsciiString hsts) {
        HttpHeaders in = head.headers();
        Http2Headers out = new DefaultHttp2Headers(false, in.size() + 2);
        out.status(head.status().codeAsText());
        String connection = in.get(HttpHeaderNames.CONNECTION); // normally removed on the way already
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = in.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> field = it.next();
            AsciiString name = AsciiString.of(field.getKey()).toLowerCase();
            if (forbidden(name) || connection != null && listed(connection, name)
                    || hsts != null && HstsHandler.STRICT_TRANSPORT_SECURITY.contentEquals(name)) {
                continue;
            }
            if (HttpHeaderNames.TE.contentEquals(name)) {
                if (!AsciiString.containsIgnoreCase(field.getValue(), TRAILERS)) {
                    continue;
                }
                out.add(name, TRAILERS);
                continue;
            }
            out.add(name, field.getValue());
        }
        if (hsts != null && head.status().code() >= 200) {
            out.add(HstsHandler.STRICT_TRANSPORT_SECURITY, hsts);
        }
        return out;
    }

    /** Connection-specific fields, which HTTP/2 does not carry (RFC 9113 8.2.2); Host is the request's. */
    private static boolean forbidden(AsciiString name) {
        return switch (name.length()) {
            case 4 -> HttpHeaderNames.HOST.contentEquals(name);
            case 7 -> HttpHeaderNames.UPGRADE.contentEquals(name);
            case 10 -> HttpHeaderNames.CONNECTION.contentEquals(name) || HttpHeaderNames.KEEP_ALIVE.contentEquals(name);
            case 16 -> HttpHeaderNames.PROXY_CONNECTION.contentEquals(name);
            case 17 -> HttpHeaderNames.TRANSFER_ENCODING.contentEquals(name);
            default -> false;
        };
    }

    /** Whether {@code name} is one of the comma-separated names in a Connection value. */
    private static boolean listed(String connection, AsciiString name) {
        int start = 0;
        int n = connection.length();
        while (start < n) {
            int end = connection.indexOf(',', start);
            if (end < 0) {
                end = n;
            }
            int a = start;
            int b = end;
            while (a < b && (connection.charAt(a) == ' ' || connection.charAt(a) == '\t')) {
                a++;
            }
            while (b > a && (connection.charAt(b - 1) == ' ' || connection.charAt(b - 1) == '\t')) {
                b--;
            }
            if (b - a == name.length() && connection.regionMatches(true, a, name.toString(), 0, b - a)) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }
}
