package dev.bascule.proxy;

import dev.bascule.http1.Http1Headers;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.List;

/**
 * Decides whether a decoded request head may be routed, before anything is sent anywhere. Together with the strict
 * {@link dev.bascule.http1.Http1RequestDecoder}, a request that passes has one meaning only: one length, one
 * host, one target.
 *
 * <p>Stateless; allocates nothing for a valid origin-form request.
 */
final class RequestValidator {
    /** A host is a reg-name, IPv4 or IP-literal with an optional port (RFC 9110 7.2, RFC 3986 3.2.2). */
    private static final boolean[] HOST_CHAR = new boolean[128];
    private static final int MAX_CONTENT_LENGTH_DIGITS = 18; // fits a long, and no body is ever that big

    static {
        for (int c = '0'; c <= '9'; c++) {
            HOST_CHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            HOST_CHAR[c] = true;
            HOST_CHAR[c - 'a' + 'A'] = true;
        }
        for (char c : "-._~%!$&'()*+,;=:[]".toCharArray()) {
            HOST_CHAR[c] = true;
        }
    }

    private RequestValidator() {}

    /**
     * @return null when the request may be routed, else the status to answer it with before closing
     */
    static HttpResponseStatus check(HttpRequest request, int maxUriLength, int maxHeaderCount) {
        if (request.decoderResult().isFailure()) {
            return statusForDecodeFailure(request.decoderResult().cause());
        }
        HttpVersion version = request.protocolVersion();
        if (version.majorVersion() != 1) {
            // RFC 9110 15.6.6: HTTP/0.x and 2+ in an HTTP/1 request line. (HTTP/1.2 and up arrive as 1.1: the
            // decoder reads them so.)
            return HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED;
        }
        HttpHeaders h = request.headers();
        if (h.size() > maxHeaderCount) {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE; // RFC 6585 5
        }
        if (request.uri().length() > maxUriLength) {
            return HttpResponseStatus.REQUEST_URI_TOO_LONG;
        }
        if (HttpMethod.CONNECT.equals(request.method())) {
            return HttpResponseStatus.NOT_IMPLEMENTED; // RFC 9110 9.3.6: Bascule tunnels nothing
        }
        HttpResponseStatus target = checkTarget(request.uri());
        if (target != null) {
            return target;
        }
        HttpResponseStatus host = checkHost(h, version);
        if (host != null) {
            return host;
        }
        return checkFraming(h);
    }

    /**
     * Origin-form ({@code /path}) and absolute-form ({@code http://host/path}) targets go on; asterisk-form
     * ({@code OPTIONS *}) and authority-form are refused with 400, as nginx does (RFC 9112 3.2).
     */
    private static HttpResponseStatus checkTarget(String uri) {
        if (!uri.isEmpty() && uri.charAt(0) == '/') {
            return null;
        }
        return schemeLength(uri) > 0 ? null : HttpResponseStatus.BAD_REQUEST;
    }

    /** RFC 9112 3.2: exactly one Host in every HTTP/1.1 request, and a valid one. */
    private static HttpResponseStatus checkHost(HttpHeaders h, HttpVersion version) {
        int count = h instanceof Http1Headers own ? own.count(HttpHeaderNames.HOST, 2)
                : h.getAll(HttpHeaderNames.HOST).size();
        if (count > 1) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        if (count == 0) {
            return version.minorVersion() >= 1 ? HttpResponseStatus.BAD_REQUEST : null;
        }
        String host = h.get(HttpHeaderNames.HOST);
        if (host.isEmpty()) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c >= 128 || !HOST_CHAR[c]) {
                return HttpResponseStatus.BAD_REQUEST;
            }
        }
        return null;
    }

    /**
     * RFC 9112 6.1-6.3: a body is framed by one Content-Length of digits, or by Transfer-Encoding {@code chunked}
     * alone, never both. The request decoder already refuses most of what breaks this; the check is repeated here so
     * the rule holds in one place whatever the decoder lets through.
     */
    private static HttpResponseStatus checkFraming(HttpHeaders h) {
        List<String> te = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        List<String> cl = h.getAll(HttpHeaderNames.CONTENT_LENGTH);
        if (!te.isEmpty()) {
            if (!cl.isEmpty() || te.size() > 1) {
                return HttpResponseStatus.BAD_REQUEST;
            }
            String coding = te.get(0);
            if (coding.equalsIgnoreCase("chunked")) {
                return null;
            }
            // Another coding before chunked (gzip, chunked): understood by no one here (RFC 9112 6.1).
            return isTokenList(coding) ? HttpResponseStatus.NOT_IMPLEMENTED : HttpResponseStatus.BAD_REQUEST;
        }
        if (cl.isEmpty()) {
            return null;
        }
        if (cl.size() > 1) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        String length = cl.get(0);
        if (length.isEmpty() || length.length() > MAX_CONTENT_LENGTH_DIGITS) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        for (int i = 0; i < length.length(); i++) {
            char c = length.charAt(i);
            if (c < '0' || c > '9') {
                return HttpResponseStatus.BAD_REQUEST;
            }
        }
        return null;
    }

    private static boolean isTokenList(String value) {
        boolean sawToken = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ',' || c == ' ') {
                continue;
            }
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-') {
                sawToken = true;
                continue;
            }
            return false;
        }
        return sawToken;
    }

    /**
     * The origin-form target of an absolute-form request ({@code http://host:port/path?q} becomes {@code
     * /path?q}, an empty path {@code /}), or null when it must be refused: a scheme other than http or https,
     * user info in the authority (RFC 9110 4.2.4), or an authority that is not the Host header. Requiring them
     * equal (RFC 9112 3.2.2 lets a server ignore Host instead) means routing and the origin see the same host.
     */
    static String originForm(HttpRequest request) {
        String uri = request.uri();
        int scheme = schemeLength(uri);
        if (scheme == 0) {
            return null;
        }
        int start = scheme + 3; // after "://"
        int end = start;
        while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?') {
            if (uri.charAt(end) == '@' || uri.charAt(end) == '#') {
                return null;
            }
            end++;
        }
        String host = request.headers().get(HttpHeaderNames.HOST);
        int length = end - start;
        if (length == 0 || host == null || host.length() != length || !host.regionMatches(true, 0, uri, start, length)) {
            return null;
        }
        if (end == uri.length()) {
            return "/";
        }
        return uri.charAt(end) == '?' ? "/" + uri.substring(end) : uri.substring(end);
    }

    /** Length of {@code http} or {@code https} when the target starts with it and {@code ://}, else 0. */
    private static int schemeLength(String uri) {
        if (uri.regionMatches(true, 0, "http://", 0, 7)) {
            return 4;
        }
        if (uri.regionMatches(true, 0, "https://", 0, 8)) {
            return 5;
        }
        return 0;
    }

    static HttpResponseStatus statusForDecodeFailure(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return HttpResponseStatus.REQUEST_URI_TOO_LONG;
        }
        if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        return HttpResponseStatus.BAD_REQUEST;
    }
}
