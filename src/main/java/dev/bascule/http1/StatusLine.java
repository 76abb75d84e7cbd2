package dev.bascule.http1;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * A response's status line, RFC 9112 4: {@code HTTP-version SP status-code SP [ reason-phrase ]}, split as Netty's
 * decoder splits it (runs of SP, HTAB, VT, FF or CR between the parts) and refused where it refuses it, but for
 * two deliberate refusals: a version other than {@code HTTP/1.1} or {@code HTTP/1.0} exactly (RFC 9112 2.3) and a
 * status code other than three digits (RFC 9112 4). A usual line (a known code with its usual reason phrase)
 * makes no object: the status is Netty's constant.
 *
 * <p>Threading: one per decoder, on its channel's event loop.
 */
final class StatusLine {
    private static final byte[] HTTP_1_1 = FieldLine.ascii("HTTP/1.1");
    private static final byte[] HTTP_1_0 = FieldLine.ascii("HTTP/1.0");
    /** Netty's status constants by code, and their reason phrases. */
    private static final HttpResponseStatus[] KNOWN = new HttpResponseStatus[600];
    private static final byte[][] KNOWN_REASONS = new byte[600][];

    static {
        for (int code = 100; code < KNOWN.length; code++) {
            HttpResponseStatus s = HttpResponseStatus.valueOf(code);
            if (s == HttpResponseStatus.valueOf(code)) { // a constant, not a new instance for an unknown code
                KNOWN[code] = s;
                KNOWN_REASONS[code] = s.reasonPhrase().getBytes(StandardCharsets.ISO_8859_1);
            }
        }
    }

    /** What the last {@link #read} found. */
    HttpVersion version;
    HttpResponseStatus status;

    /** Reads the line {@code [0, end)} of the window (CRLF excluded, at least one byte); throws if malformed. */
    void read(ByteWindow w, int end) {
        byte last = w.at(end - 1);
        if (last >= 0 && last <= ' ' && last != ' ' && last != '\t') {
            throw new IllegalArgumentException("Illegal character in status line: 0x" + Integer.toHexString(last));
        }
        int aStart = skipSeparators(w, 0, end);
        int aEnd = nextSeparator(w, aStart, end);
        int bStart = skipSeparators(w, aEnd, end);
        int bEnd = nextSeparator(w, bStart, end);
        int cStart = skipSeparators(w, bEnd, end);
        int cEnd = endOfText(w, Math.max(cStart - 1, 0), end);
        version = version(w, aStart, aEnd);
        if (bEnd - bStart != 3) {
            throw new IllegalArgumentException("the status code is not three digits");
        }
        int code = 0;
        for (int i = bStart; i < bEnd; i++) {
            byte b = w.at(i);
            if (b < '0' || b > '9') {
                throw new IllegalArgumentException("the status code is not three digits");
            }
            code = code * 10 + b - '0';
        }
        if (cStart >= cEnd) {
            cStart = cEnd = 0;
        }
        status = status(w, code, cStart, cEnd);
    }

    private static HttpVersion version(ByteWindow w, int from, int to) {
        if (to - from == 8 && regionIs(w, from, HTTP_1_1)) {
            return HttpVersion.HTTP_1_1;
        }
        if (to - from == 8 && regionIs(w, from, HTTP_1_0)) {
            return HttpVersion.HTTP_1_0;
        }
        throw new IllegalArgumentException("not HTTP/1.1 or HTTP/1.0");
    }

    private static HttpResponseStatus status(ByteWindow w, int code, int from, int to) {
        HttpResponseStatus known = code < KNOWN.length ? KNOWN[code] : null;
        if (known != null && to - from == KNOWN_REASONS[code].length && regionIs(w, from, KNOWN_REASONS[code])) {
            return known;
        }
        for (int i = from; i < to; i++) {
            if (w.at(i) == '\r') {
                throw new IllegalArgumentException("a reason phrase must not contain CR");
            }
        }
        return new HttpResponseStatus(code, new String(w.bytes, w.base + from, to - from, StandardCharsets.ISO_8859_1));
    }

    private static boolean regionIs(ByteWindow w, int from, byte[] expected) {
        for (int i = 0; i < expected.length; i++) {
            if (w.at(from + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /** Netty's lenient separators between the status line's parts: SP, HTAB, VT, FF, CR (RFC 9112 4). */
    private static boolean isSeparator(byte b) {
        return b == ' ' || b == '\t' || b == 0x0b || b == 0x0c || b == '\r';
    }

    private static int skipSeparators(ByteWindow w, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = w.at(i);
            if (isSeparator(b)) {
                continue;
            }
            if (b == '\n' || b >= 0x1c && b <= 0x1f) {
                throw new IllegalArgumentException("Invalid separator");
            }
            return i;
        }
        return to;
    }

    private static int nextSeparator(ByteWindow w, int from, int to) {
        for (int i = from; i < to; i++) {
            if (isSeparator(w.at(i))) {
                return i;
            }
        }
        return to;
    }

    private static int endOfText(ByteWindow w, int from, int to) {
        for (int i = to - 1; i > from; i--) {
            byte b = w.at(i);
            if (b != ' ' && b != '\t') {
                return i + 1;
            }
        }
        return 0;
    }
}
