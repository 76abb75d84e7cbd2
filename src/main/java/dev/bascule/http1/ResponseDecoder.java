package dev.bascule.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.ContentLengthNotAllowedException;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.InvalidChunkExtensionException;
import io.netty.handler.codec.http.InvalidChunkTerminationException;
import io.netty.handler.codec.http.InvalidLineSeparatorException;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.TransferEncodingNotAllowedException;
import io.netty.util.ByteProcessor;
import java.util.List;
import java.util.Queue;

/**
 * Decodes an origin's HTTP/1.x responses into Netty's message stream, as Netty's {@code HttpClientCodec} decoder
 * does: a {@link DefaultHttpResponse} whose headers are an {@link Http1Headers} (the head's field bytes copied
 * once, four offsets per field), then the body as retained slices of the read buffer, ending with a {@link
 * LastHttpContent} ({@link LastHttpContent#EMPTY_LAST_CONTENT} when nothing is left to carry). A malformed response
 * becomes a message with a failed {@code decoderResult}, after which everything is discarded until the connection
 * closes. The status line and the field lines are read in one pass, with no object per field.
 *
 * <p>Body framing follows RFC 9112 6.3: no body after a response to HEAD, a 1xx, a 204 or a 304; chunked when
 * chunked is the final transfer coding (with a Content-Length as well it is refused, RFC 9112 6.1); else the
 * Content-Length; else until the connection closes, the end then being sent at {@code channelInactive}. After a
 * 101 that switches to another protocol, bytes are passed on as they are read, for the tunnel.
 *
 * <p>It accepts and refuses what Netty's decoder does with Bascule's strict origin configuration, except where it
 * is stricter on purpose: the version must be {@code HTTP/1.1} or {@code HTTP/1.0} exactly (RFC 9112 2.3; Netty
 * takes any {@code HTTP/d.d} in any case); the status code must be three digits (RFC 9112 4; Netty takes any
 * non-negative integer, {@code +200} or {@code 0200} too); several Content-Length fields are refused in HTTP/1.0
 * as in 1.1 (RFC 9112 6.3 item 5; Netty takes the first); a Transfer-Encoding other than chunked together with a
 * Content-Length is refused (RFC 9112 6.1; Netty frames such a body by the Content-Length, which RFC 9112 6.3 item 3
 * says to ignore); and a 101 never has a body (Netty reads one after a 101 to a Hixie-76 WebSocket handshake, an
 * obsolete draft).
 *
 * <p>A plain object, not a handler: {@link OriginCodec} keeps the bytes read and calls it.
 *
 * <p>Threading: one per connection, on its channel's event loop.
 */
final class ResponseDecoder {
    private static final int SKIP_LINE_ENDS = 0;
    private static final int STATUS_LINE = 1;
    private static final int FIELDS = 2;
    private static final int FIXED_LENGTH = 3;
    private static final int UNTIL_CLOSE = 4;
    private static final int CHUNK_SIZE = 5;
    private static final int CHUNK_DATA = 6;
    private static final int CHUNK_END = 7;
    private static final int TRAILERS = 8;
    private static final int BAD = 9;
    private static final int UPGRADED = 10;

    /** Body pieces this size or smaller are copied rather than sliced ({@link #piece}). */
    static final int SMALL_PIECE = 512;
    private static final HttpResponseStatus UNKNOWN = new HttpResponseStatus(999, "Unknown");
    private static final byte[] CHUNKED = FieldLine.ascii("chunked");
    private static final byte[] TRANSFER_ENCODING = FieldLine.ascii("transfer-encoding");

    private final int maxLineLength;
    private final int maxChunkSize;
    private final FieldLines fields;
    private final ByteWindow window = new ByteWindow();
    private final StatusLine statusLine = new StatusLine();
    /** Methods of the requests sent and not yet answered, oldest first (filled by the request encoder). */
    private final Queue<HttpMethod> methods;
    private int state = SKIP_LINE_ENDS;
    private HttpVersion version;
    private HttpResponseStatus status;
    /** Body bytes left: of a Content-Length body, or of the current chunk. */
    private long remaining;
    /** The response being read switches to another protocol: what follows it is that protocol's. */
    private boolean switching;

    /**
     * @param maxLineLength longest status line or chunk-size line, CRLF excluded
     * @param maxHeaderSize most bytes of field lines (CRLFs excluded) in a response's head and trailers together
     * @param maxChunkSize largest body piece passed on; longer chunks and bodies come in several
     */
    ResponseDecoder(int maxLineLength, int maxHeaderSize, int maxChunkSize, Queue<HttpMethod> methods) {
        this.maxLineLength = maxLineLength;
        this.maxChunkSize = maxChunkSize;
        this.fields = new FieldLines(maxHeaderSize);
        this.methods = methods;
    }

    /** Decodes from {@code in} as far as its bytes go, adding the messages made to {@code out}. */
    void decode(ByteBuf in, List<Object> out) {
        try {
            decodeOnce(in, out);
        } finally {
            window.close();
        }
    }

    private void decodeOnce(ByteBuf in, List<Object> out) {
        switch (state) {
            case SKIP_LINE_ENDS:
                if (!skipLineEnds(in, out)) {
                    return;
                }
                // fall through
            case STATUS_LINE:
                try {
                    if (!readStatusLine(in)) {
                        return;
                    }
                } catch (RuntimeException e) {
                    fail(in, out, new DefaultHttpResponse(HttpVersion.HTTP_1_0, UNKNOWN, new Http1Headers()), e);
                    return;
                }
                // fall through
            case FIELDS:
                readHead(in, out);
                return;
            case FIXED_LENGTH: {
                int toRead = (int) Math.min(Math.min(in.readableBytes(), maxChunkSize), remaining);
                if (toRead == 0) {
                    return;
                }
                ByteBuf piece = piece(in, toRead);
                remaining -= toRead;
                if (remaining == 0) {
                    // No trailers after a Content-Length body: the shared empty ones, as EMPTY_LAST_CONTENT has,
                    // rather than a header map per response (the client encoder asks every end for its trailers).
                    out.add(new DefaultLastHttpContent(piece, EmptyHttpHeaders.INSTANCE));
                    reset();
                } else {
                    out.add(new DefaultHttpContent(piece));
                }
                return;
            }
            case UNTIL_CLOSE: {
                int toRead = Math.min(in.readableBytes(), maxChunkSize);
                if (toRead > 0) {
                    out.add(new DefaultHttpContent(piece(in, toRead)));
                }
                return;
            }
            case CHUNK_SIZE:
                try {
                    if (!readChunkSize(in)) {
                        return;
                    }
                } catch (RuntimeException e) {
                    failChunk(in, out, e);
                    return;
                }
                if (state == TRAILERS) {
                    return;
                }
                // fall through
            case CHUNK_DATA: {
                int toRead = (int) Math.min(Math.min(in.readableBytes(), maxChunkSize), remaining);
                if (toRead == 0) {
                    return;
                }
                out.add(new DefaultHttpContent(piece(in, toRead)));
                remaining -= toRead;
                if (remaining != 0) {
                    return;
                }
                state = CHUNK_END;
            }
                // fall through
            case CHUNK_END:
                if (in.readableBytes() >= 2) {
                    int at = in.readerIndex();
                    if (in.getByte(at) == '\r' && in.getByte(at + 1) == '\n') {
                        in.skipBytes(2);
                        state = CHUNK_SIZE;
                    } else {
                        failChunk(in, out, new InvalidChunkTerminationException());
                    }
                }
                return;
            case TRAILERS:
                try {
                    readTrailers(in, out);
                } catch (RuntimeException e) {
                    failChunk(in, out, e);
                }
                return;
            case UPGRADED:
                if (in.isReadable()) {
                    out.add(in.readRetainedSlice(in.readableBytes()));
                }
                return;
            default: // BAD: discard until the connection closes
                in.skipBytes(in.readableBytes());
        }
    }

    /** RFC 9112 2.2: empty lines before a status line are skipped; any other control byte there is refused. */
    private boolean skipLineEnds(ByteBuf in, List<Object> out) {
        int readable = in.readableBytes();
        if (readable == 0) {
            return false;
        }
        int max = Math.min(maxLineLength, readable);
        int first = in.forEachByte(in.readerIndex(), max, ByteProcessor.FIND_NON_CRLF);
        if (first == -1) {
            in.skipBytes(max);
            if (readable > maxLineLength) {
                fail(in, out, new DefaultHttpResponse(HttpVersion.HTTP_1_0, UNKNOWN, new Http1Headers()),
                        tooLongLine());
            }
            return false;
        }
        if (Character.isISOControl(in.getByte(first) & 0xff)) {
            fail(in, out, new DefaultHttpResponse(HttpVersion.HTTP_1_0, UNKNOWN, new Http1Headers()),
                    new InvalidLineSeparatorException());
            return false;
        }
        in.readerIndex(first);
        state = STATUS_LINE;
        return true;
    }

    private TooLongHttpLineException tooLongLine() {
        return new TooLongHttpLineException("An HTTP line is larger than " + maxLineLength + " bytes.");
    }

    /** Finds the end of a line of at most {@link #maxLineLength} bytes at the window's start; -1: not yet. */
    private int lineEnd(boolean chunkLine) {
        ByteWindow w = window;
        int readable = w.readable();
        int lf = w.indexOfLf(0, Math.min(maxLineLength + 2, readable));
        if (lf < 0) {
            if (readable > maxLineLength) {
                throw tooLongLine();
            }
            return -1;
        }
        if (lf == 0 || w.at(lf - 1) != '\r') {
            throw chunkLine ? new InvalidChunkExtensionException() : new InvalidLineSeparatorException();
        }
        if (lf - 1 > maxLineLength) {
            throw tooLongLine();
        }
        return lf - 1;
    }

    private boolean readStatusLine(ByteBuf in) {
        ByteWindow w = window;
        w.open(in);
        int end = lineEnd(false);
        if (end < 0) {
            return false;
        }
        statusLine.read(w, end);
        version = statusLine.version;
        status = statusLine.status;
        in.skipBytes(end + 2);
        fields.newMessage();
        fields.begin(0, false);
        state = FIELDS;
        return true;
    }

    /**
     * The next {@code length} bytes of a body, whatever its framing. A small piece is copied into a buffer of its
     * own: the writer copies one that small into the buffer of its head or chunk line anyway, the pooled buffer
     * costs no object where a slice does, and the read buffer is not held by it.
     */
    private static ByteBuf piece(ByteBuf in, int length) {
        if (length > SMALL_PIECE) {
            return in.readRetainedSlice(length);
        }
        ByteBuf piece = in.alloc().buffer(length, length);
        in.readBytes(piece, length);
        return piece;
    }

    private void readHead(ByteBuf in, List<Object> out) {
        DefaultHttpResponse response = null;
        try {
            window.open(in);
            if (!fields.read(window)) {
                return;
            }
            DefaultHttpResponse spare = SpareHeads.response();
            Http1Headers headers = fields.build(window, spare == null ? null : (Http1Headers) spare.headers());
            in.skipBytes(fields.end());
            if (spare == null) {
                response = new DefaultHttpResponse(version, status, headers);
            } else {
                response = spare;
                response.setProtocolVersion(version).setStatus(status).setDecoderResult(DecoderResult.SUCCESS);
            }
            headers.lend(true);
            frame(response, out);
        } catch (RuntimeException e) {
            if (response == null) {
                response = new DefaultHttpResponse(version, status, new Http1Headers());
            }
            fail(in, out, response, e);
        }
    }

    /** RFC 9112 6.3: how the body of {@code response} is delimited; the order of checks is Netty's. */
    private void frame(DefaultHttpResponse response, List<Object> out) {
        long contentLength = -1;
        if (fields.contentLengthCount > 0) {
            if (fields.contentLengthCount > 1) {
                throw new IllegalArgumentException("Multiple Content-Length values found");
            }
            contentLength = contentLength(fields.contentLengthField);
        }
        int code = status.code();
        switching = code == 101 && !upgradesToHttp1(response);
        boolean noBody;
        if (code >= 100 && code < 200) {
            noBody = true; // RFC 9112 6.3 item 1; a 1xx leaves the request's method for the final response
        } else {
            HttpMethod method = methods.poll();
            noBody = HttpMethod.HEAD.equals(method) || code == 204 || code == 304;
        }
        if (noBody) {
            if (fields.transferEncodingCount > 0) {
                HttpUtil.setTransferEncodingChunked(response, false); // as Netty: no chunked coding on no body
            }
            out.add(response);
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            reset();
            return;
        }
        if (fields.transferEncodingCount > 0) {
            if (version != HttpVersion.HTTP_1_1) {
                throw new TransferEncodingNotAllowedException(
                        "The Transfer-Encoding header is only allowed in HTTP/1.1 or newer"); // RFC 9112 6.1
            }
            if (chunkedIsFinal()) {
                if (fields.contentLengthCount > 0) {
                    throw new ContentLengthNotAllowedException(
                            "Content-Length is not allowed with Transfer-Encoding (RFC 9112 6.1)");
                }
                out.add(response);
                state = CHUNK_SIZE;
                return;
            }
            if (fields.contentLengthCount > 0) {
                throw new ContentLengthNotAllowedException(
                        "Content-Length is not allowed with Transfer-Encoding (RFC 9112 6.1)");
            }
        }
        out.add(response);
        if (contentLength == 0) {
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            reset();
        } else if (contentLength > 0) {
            remaining = contentLength;
            state = FIXED_LENGTH;
        } else {
            state = UNTIL_CLOSE; // RFC 9112 6.3 item 8
        }
    }

    /** RFC 9110 8.6: one or more digits, as a non-negative long. */
    private long contentLength(int field) {
        byte[] b = fields.builtBytes;
        int[] f = fields.builtOffsets;
        int from = f[field * 4 + 2];
        int to = f[field * 4 + 3];
        if (from == to) {
            throw new IllegalArgumentException("Content-Length value is not a number");
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9 || value > (Long.MAX_VALUE - d) / 10) {
                throw new IllegalArgumentException("Content-Length value is not a number");
            }
            value = value * 10 + d;
        }
        return value;
    }

    /** Netty's test: a 101 whose Upgrade names HTTP/1.x (such as TLS, RFC 2817) stays HTTP/1. */
    private static boolean upgradesToHttp1(DefaultHttpResponse response) {
        String protocol = response.headers().get(HttpHeaderNames.UPGRADE);
        return protocol != null && (protocol.contains("HTTP/1.0") || protocol.contains("HTTP/1.1"));
    }

    /**
     * Whether chunked is among the transfer codings (RFC 9112 6.1); if so it must be the last and only once, else
     * the response is refused.
     */
    private boolean chunkedIsFinal() {
        byte[] b = fields.builtBytes;
        int[] f = fields.builtOffsets;
        int n = f.length / 4;
        boolean seen = false;
        boolean last = false;
        for (int i = 0; i < n; i++) {
            int at = i * 4;
            if (f[at + 1] - f[at] != 17 || !isTransferEncoding(b, f[at])) {
                continue;
            }
            int start = f[at + 2];
            int to = f[at + 3];
            while (start <= to) {
                int comma = start;
                while (comma < to && b[comma] != ',') {
                    comma++;
                }
                int s = start;
                int e = comma;
                while (s < e && (b[s] == ' ' || b[s] == '\t')) {
                    s++;
                }
                while (e > s && (b[e - 1] == ' ' || b[e - 1] == '\t')) {
                    e--;
                }
                if (s < e) {
                    last = e - s == CHUNKED.length && FieldLine.named(b, s, CHUNKED);
                    if (last) {
                        if (seen) {
                            throw new IllegalArgumentException("chunked transfer coding must not be applied more than once");
                        }
                        seen = true;
                    }
                }
                start = comma + 1;
            }
        }
        if (seen && !last) {
            throw new IllegalArgumentException("chunked must be the last encoding present in the Transfer-Encoding header");
        }
        return seen;
    }

    private static boolean isTransferEncoding(byte[] b, int from) {
        return FieldLine.named(b, from, TRANSFER_ENCODING);
    }

    private boolean readChunkSize(ByteBuf in) {
        window.open(in);
        int end = lineEnd(true);
        if (end < 0) {
            return false;
        }
        long size = ChunkLine.size(in, in.readerIndex(), end);
        if (size == ChunkLine.INVALID) {
            throw new NumberFormatException("invalid chunk size line");
        }
        in.skipBytes(end + 2);
        if (size == 0) {
            fields.begin(0, true);
            state = TRAILERS;
        } else {
            remaining = (int) size;
            state = CHUNK_DATA;
        }
        return true;
    }

    /** RFC 9112 7.1.2: the trailer section after the last chunk, usually just its empty line. */
    private void readTrailers(ByteBuf in, List<Object> out) {
        window.open(in);
        if (!fields.read(window)) {
            return;
        }
        if (!fields.hadLines()) {
            in.skipBytes(fields.end());
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
        } else {
            Http1Headers trailers = fields.build(window);
            in.skipBytes(fields.end());
            out.add(new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, trailers));
        }
        reset();
    }

    private void reset() {
        version = null;
        status = null;
        remaining = 0;
        state = switching ? UPGRADED : SKIP_LINE_ENDS;
        switching = false;
    }

    private void fail(ByteBuf in, List<Object> out, HttpObject message, Exception cause) {
        state = BAD;
        in.skipBytes(in.readableBytes());
        message.setDecoderResult(DecoderResult.failure(cause));
        out.add(message);
    }

    private void failChunk(ByteBuf in, List<Object> out, Exception cause) {
        fail(in, out, new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER), cause);
    }

    /** The connection's input ended: decodes what {@code in} still holds, then what the end itself means. */
    void decodeLast(ByteBuf in, List<Object> out) {
        if (in.isReadable()) {
            decode(in, out);
        }
        switch (state) {
            case UNTIL_CLOSE:
                if (!in.isReadable()) {
                    out.add(LastHttpContent.EMPTY_LAST_CONTENT); // RFC 9112 6.3 item 8: the close ends the body
                    reset();
                }
                return;
            case FIELDS: {
                DefaultHttpResponse partial = new DefaultHttpResponse(version, status, new Http1Headers());
                partial.setDecoderResult(DecoderResult.failure(
                        new PrematureChannelClosureException("Connection closed before received headers")));
                out.add(partial);
                reset();
                return;
            }
            case FIXED_LENGTH:
            case CHUNK_SIZE:
            case CHUNK_DATA:
            case CHUNK_END:
            case TRAILERS:
                reset(); // cut short: no end is sent, the connection's close tells the exchange
                return;
            default:
        }
    }
}
