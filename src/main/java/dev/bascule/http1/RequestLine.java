package dev.bascule.http1;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The request line of the head being read (RFC 9112 3), checked strictly: exactly {@code method SP request-target
 * SP HTTP/d.d}, one space between the parts (a lenient parser also splits on tabs and runs of spaces, which lets
 * two hops read different targets), a method of token characters (RFC 9110 9.1, 5.6.2), a target of visible
 * ASCII only (RFC 9112 3.2, RFC 3986 2). Known methods and HTTP/1.0 and 1.1 are Netty's constants, so the only
 * object a valid line costs is the target's String.
 *
 * <p>Threading: confined to the connection's event loop; one per decoder, reused for every request.
 */
final class RequestLine {
    private static final byte[] HTTP_SLASH = FieldLine.ascii("HTTP/");
    private static final HttpMethod[] METHODS = {HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.HEAD,
        HttpMethod.DELETE, HttpMethod.OPTIONS, HttpMethod.PATCH, HttpMethod.TRACE, HttpMethod.CONNECT};
    private static final byte[][] METHOD_NAMES = new byte[METHODS.length][];

    static {
        for (int i = 0; i < METHODS.length; i++) {
            METHOD_NAMES[i] = FieldLine.ascii(METHODS[i].name());
        }
    }

    private HttpMethod method;
    private HttpVersion version;
    private String uri;

    /** The method of the line read, or null when none is (before a line, or after a refused one). */
    HttpMethod method() {
        return method;
    }

    HttpVersion version() {
        return version;
    }

    String uri() {
        return uri;
    }

    void clear() {
        method = null;
        version = null;
        uri = null;
    }

    /**
     * Reads the line {@code a[0, length)}, its CRLF excluded.
     *
     * @return null when it is a valid request line (then read), else why not (then nothing is read)
     */
    String parse(byte[] a, int length) {
        int i = 0;
        while (i < length && a[i] != ' ') {
            if (!FieldLine.tchar(a[i])) {
                return "invalid character in the method";
            }
            i++;
        }
        if (i == 0) {
            return "empty method";
        }
        int methodEnd = i++;
        int targetStart = i;
        while (i < length && a[i] != ' ') {
            if (a[i] < 0x21 || a[i] > 0x7E) {
                return "invalid character in the request target";
            }
            i++;
        }
        if (i == targetStart) {
            return "space before the request target";
        }
        int targetEnd = i++;
        if (length - i != 8 || !Arrays.equals(a, i, i + 5, HTTP_SLASH, 0, 5) || !digit(a[i + 5])
                || a[i + 6] != '.' || !digit(a[i + 7])) {
            return "invalid HTTP version";
        }
        version = version(a[i + 5] - '0', a[i + 7] - '0');
        method = method(a, methodEnd);
        uri = new String(a, targetStart, targetEnd - targetStart, StandardCharsets.ISO_8859_1);
        return null;
    }

    private static boolean digit(byte b) {
        return b >= '0' && b <= '9';
    }

    /** RFC 9110 2.5: a recipient reads {@code HTTP/1.x} with x above 1 as the highest 1.x it supports. */
    private static HttpVersion version(int major, int minor) {
        if (major == 1) {
            return minor == 0 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
        }
        return new HttpVersion("HTTP", major, minor, true); // refused by the frontend with 505
    }

    private static HttpMethod method(byte[] a, int length) {
        for (int m = 0; m < METHODS.length; m++) {
            byte[] name = METHOD_NAMES[m];
            if (name.length == length && Arrays.equals(a, 0, length, name, 0, length)) {
                return METHODS[m];
            }
        }
        return HttpMethod.valueOf(new String(a, 0, length, StandardCharsets.ISO_8859_1));
    }
}
