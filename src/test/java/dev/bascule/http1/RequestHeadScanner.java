package dev.bascule.http1;

import io.netty.buffer.ByteBuf;

/**
 * The reference for {@link Http1RequestDecoder}'s own rules: what the frontend ran over every request head before
 * Bascule had its own decoder, kept as it was so the differential test compares the new decoder against exactly
 * the old pair (Netty's strict decoder plus this scanner); see {@link ReferenceRequestDecoder}.
 *
 * <p>Checks the raw bytes of one request head for what Netty's decoder accepts but a proxy must not pass on, or
 * rewrites in a way the client did not mean:
 * <ul>
 *   <li>the request line must be exactly {@code method SP request-target SP HTTP/d.d CRLF} (RFC 9112 3): one
 *       space between the parts (Netty also splits on tabs and runs of spaces), a method made of token
 *       characters (RFC 9110 9.1, 5.6.2), a target of visible ASCII only (RFC 9112 3.2, RFC 3986 2);
 *   <li>no header line may start with a space or tab: obs-fold, or whitespace before the first field, is
 *       rejected (RFC 9112 5.2, 2.2), where Netty would silently join the lines;
 *   <li>at most one Content-Length line and one Transfer-Encoding line (RFC 9112 6.3): Netty merges equal
 *       duplicate lengths in an HTTP/1.0 request. Spaces and tabs around their values are OWS (RFC 9110 5.6.3,
 *       5.5) and are accepted: the decoder trims both, and the fields are written anew on the way out, so no
 *       origin ever sees the tab another parser might read differently.
 * </ul>
 * It also notes, for free as it passes, whether any field name has an underscore or two hyphens in a row: only
 * such a head needs the frontend's header name rules applied.
 * Line endings are already strict CRLF (Netty's strict line parsing); this scanner only sees bytes the decoder
 * has consumed as part of a head, in whole lines, possibly across several reads.
 *
 * <p>Threading: confined to the connection's event loop; one instance per connection, {@link #reset} between
 * requests. Allocates nothing unless the head is bad.
 */
final class RequestHeadScanner {
    private static final int BEFORE = 0;
    private static final int METHOD = 1;
    private static final int TARGET = 2;
    private static final int VERSION = 3;
    private static final int LINE_LF = 4;
    private static final int LINE_START = 5;
    private static final int NAME = 6;
    private static final int VALUE = 7;
    private static final int END_LF = 8;
    private static final int DONE = 9;

    private static final byte[] VERSION_SHAPE = {'H', 'T', 'T', 'P', '/', '0', '.', '0'};
    private static final byte[] CONTENT_LENGTH = {'c', 'o', 'n', 't', 'e', 'n', 't', '-', 'l', 'e', 'n', 'g', 't', 'h'};
    private static final byte[] TRANSFER_ENCODING = {
        't', 'r', 'a', 'n', 's', 'f', 'e', 'r', '-', 'e', 'n', 'c', 'o', 'd', 'i', 'n', 'g'};

    /** tchar of RFC 9110 5.6.2. */
    private static final boolean[] TCHAR = new boolean[128];

    static {
        for (int c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 'a' + 'A'] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
    }

    private int state = BEFORE;
    private int partLength;
    private boolean maybeContentLength;
    private boolean maybeTransferEncoding;
    private boolean hyphen;
    private boolean oddNames;
    private int contentLengthLines;
    private int transferEncodingLines;

    /** Ready for the next request's head. */
    void reset() {
        state = BEFORE;
        partLength = 0;
        contentLengthLines = 0;
        transferEncodingLines = 0;
        oddNames = false;
    }

    /** Whether the whole head, up to its empty line, has been scanned. */
    boolean done() {
        return state == DONE;
    }

    /** Whether a field name of this head has an underscore or a run of hyphens (see {@link HeaderNameRules}). */
    boolean oddNames() {
        return oddNames;
    }

    /**
     * Scans {@code buf[from, to)}, the next bytes of the head.
     *
     * @return null when they are acceptable so far, else the reason to reject the request
     */
    String scan(ByteBuf buf, int from, int to) {
        for (int i = from; i < to; i++) {
            String problem = next(buf.getByte(i) & 0xFF);
            if (problem != null) {
                state = DONE;
                return problem;
            }
            if (state == DONE) {
                return null;
            }
        }
        return null;
    }

    private String next(int b) {
        switch (state) {
            case BEFORE:
                if (b == '\r' || b == '\n') {
                    return null; // RFC 9112 2.2: empty lines before the request line are ignored
                }
                state = METHOD;
                partLength = 0;
                return method(b);
            case METHOD:
                return method(b);
            case TARGET:
                if (b == ' ') {
                    if (partLength == 0) {
                        return "space before the request target";
                    }
                    state = VERSION;
                    partLength = 0;
                    return null;
                }
                if (b < 0x21 || b > 0x7e) {
                    return "invalid character in the request target";
                }
                partLength++;
                return null;
            case VERSION:
                if (partLength == VERSION_SHAPE.length) {
                    if (b != '\r') {
                        return "invalid HTTP version";
                    }
                    state = LINE_LF;
                    return null;
                }
                byte want = VERSION_SHAPE[partLength++];
                boolean ok = want == '0' ? b >= '0' && b <= '9' : b == want;
                return ok ? null : "invalid HTTP version";
            case LINE_LF:
            case END_LF:
                if (b != '\n') {
                    return "bare CR";
                }
                state = state == END_LF ? DONE : LINE_START;
                return null;
            case LINE_START:
                if (b == '\r') {
                    state = END_LF;
                    return null;
                }
                if (b == ' ' || b == '\t') {
                    return "obsolete line folding or whitespace before a header field";
                }
                state = NAME;
                partLength = 0;
                maybeContentLength = true;
                maybeTransferEncoding = true;
                hyphen = false;
                return name(b);
            case NAME:
                return name(b);
            case VALUE:
                if (b == '\r') {
                    state = LINE_LF;
                    return null;
                }
                if (b == '\n') {
                    return "bare LF";
                }
                return null;
            default:
                return null;
        }
    }

    private String method(int b) {
        if (b == ' ') {
            if (partLength == 0) {
                return "empty method";
            }
            state = TARGET;
            partLength = 0;
            return null;
        }
        if (b >= 128 || !TCHAR[b]) {
            return "invalid character in the method";
        }
        partLength++;
        return null;
    }

    private String name(int b) {
        if (b == ':') {
            state = VALUE;
            if (maybeContentLength && partLength == CONTENT_LENGTH.length) {
                if (++contentLengthLines > 1) {
                    return "more than one Content-Length";
                }
            } else if (maybeTransferEncoding && partLength == TRANSFER_ENCODING.length) {
                if (++transferEncodingLines > 1) {
                    return "more than one Transfer-Encoding";
                }
            }
            return null;
        }
        if (b == '\r' || b == '\n') {
            return "header line without a colon";
        }
        if (b == '_' || (b == '-' && hyphen)) {
            oddNames = true;
        }
        hyphen = b == '-';
        int lower = b >= 'A' && b <= 'Z' ? b + 32 : b;
        maybeContentLength &= partLength < CONTENT_LENGTH.length && CONTENT_LENGTH[partLength] == lower;
        maybeTransferEncoding &= partLength < TRANSFER_ENCODING.length && TRANSFER_ENCODING[partLength] == lower;
        partLength++;
        return null;
    }
}
