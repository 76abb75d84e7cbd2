package dev.bascule.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ByteProcessor;
import java.util.List;

/**
 * Bascule's HTTP/1.1 request decoder: produces the message stream Netty's {@code HttpRequestDecoder} produces (a
 * request head, then {@code HttpContent} pieces that are retained slices of what was read, then a {@code
 * LastHttpContent}; {@code EMPTY_LAST_CONTENT} when there is no body), failing exactly where Netty's strict
 * decoder fails, and also refusing what a proxy must not pass on though Netty accepts it:
 * <ul>
 *   <li>the request line must be exactly {@code method SP request-target SP HTTP/d.d CRLF} (RFC 9112 3): one
 *       space between the parts, a method of token characters (RFC 9110 9.1), a target of visible ASCII only
 *       (RFC 9112 3.2, RFC 3986 2). {@code HTTP/1.x} above 1.1 is read as 1.1 (RFC 9110 2.5);
 *   <li>no obs-fold, in the head or in trailers (RFC 9112 5.2), see {@link FieldLine};
 *   <li>at most one Content-Length line and one Transfer-Encoding line (RFC 9112 6.3).
 * </ul>
 * Lines end in CRLF only (RFC 9112 2.2); the request line is at most {@code maxInitialLineLength} bytes and the
 * field lines of the head and trailers together at most {@code maxHeaderSize} (CRLFs not counted), refused with
 * Netty's {@link TooLongHttpLineException} and {@link TooLongHttpHeaderException} so that status mapping does not
 * change. A failure reaches the next handler as a message with a failed {@code decoderResult}, and everything read
 * after it is dropped.
 *
 * <p>The head is parsed in one pass and copied once: its bytes stay in the cumulation buffer until its empty line
 * has arrived, lines are checked as they arrive (so a bad line is refused as soon as Netty's would be), and the
 * field lines are then copied into the one array the request's {@link Http1Headers} keeps, with four offsets per
 * field. Per request this allocates the request, its headers (that array and the offsets) and the target string.
 *
 * <p>It is a plain object, not a handler: the codec that holds it keeps the bytes read so far (the cumulation) and
 * calls {@link #decode} after each read, so decoding costs no pipeline hop of its own.
 *
 * <p>Threading: confined to the connection's event loop.
 */
public class Http1RequestDecoder {
    private static final int SKIP_EMPTY_LINES = 0;
    private static final int REQUEST_LINE = 1;
    private static final int HEAD_FIELDS = 2;
    private static final int FIXED_BODY = 3;
    private static final int CHUNK_SIZE = 4;
    private static final int CHUNK_DATA = 5;
    private static final int CHUNK_END = 6;
    private static final int TRAILER_FIELDS = 7;
    private static final int BAD_MESSAGE = 8;

    /** Why field lines stopped being found: more bytes needed, the empty line, too long, a bare LF. */
    private static final int MORE = 0;
    private static final int END = 1;
    private static final int TOO_LONG = 2;
    private static final int BARE_LF = 3;

    private static final byte[] NO_BYTES = new byte[0];

    private final int maxLineLength;
    private final int maxHeaderSize;
    private final int maxChunkSize;

    private int state = SKIP_EMPTY_LINES;
    /**
     * While a head or trailer section is read: bytes of it already checked (whole lines), from the buffer's reader
     * index, which stays at the section's start until the section is whole.
     */
    private int scanned;
    /** Where the first field line starts, from the same reader index. */
    private int fieldsFrom;
    /** Bytes of field lines so far, head and trailers together, CRLFs excluded: what {@code maxHeaderSize} bounds. */
    private int headerSize;
    /**
     * While a section is read: four offsets per field checked so far (from {@link #fieldsFrom}), line feeds found
     * (from the reader index), and the request line's bytes or field lines of a head that came in pieces. Null
     * between sections, so that an idle connection holds none of it.
     */
    private HeadWork work;
    private int count;
    private boolean oddNames;
    /** Bytes left of the fixed-length body or of the current chunk. */
    private long remaining;

    /**
     * @param config the limits; it must ask for what this decoder always does (validated headers, strict line
     *     parsing, RFC 9112 transfer codings, no duplicate Content-Length), so that nothing is silently looser
     */
    public Http1RequestDecoder(HttpDecoderConfig config) {
        boolean validating = config.getHeadersFactory() instanceof DefaultHttpHeadersFactory f
                && f.isValidatingHeaderNames() && f.isValidatingHeaderValues();
        if (!validating || !config.isStrictLineParsing() || !config.isUseRfc9112TransferEncoding()
                || config.isAllowDuplicateContentLengths() || !config.isChunkedSupported()
                || !config.isAllowPartialChunks()) {
            throw new IllegalArgumentException("Bascule's request decoder is always strict: " + config);
        }
        maxLineLength = config.getMaxInitialLineLength();
        maxHeaderSize = config.getMaxHeaderSize();
        maxChunkSize = config.getMaxChunkSize();
    }

    /** Whether a field name of the last request head has an underscore or a run of hyphens. */
    public final boolean oddNames() {
        return oddNames;
    }

    /**
     * Decodes from {@code in} as far as its bytes go, adding the messages made to {@code out}: a head waits in
     * {@code in} until it is whole, a body comes as retained slices of {@code in}.
     */
    public void decode(ByteBuf in, List<Object> out) {
        switch (state) {
            case SKIP_EMPTY_LINES:
                if (!skipEmptyLines(in, out)) {
                    return;
                }
                // fall through
            case REQUEST_LINE:
                if (!requestLine(in, out)) {
                    return;
                }
                // fall through
            case HEAD_FIELDS:
                fields(in, out, false);
                return;
            case FIXED_BODY:
                fixedBody(in, out);
                return;
            case CHUNK_SIZE:
                if (!chunkSize(in, out)) {
                    return;
                }
                // fall through
            case CHUNK_DATA:
                if (!chunkData(in, out)) {
                    return;
                }
                // fall through
            case CHUNK_END:
                chunkEnd(in, out);
                return;
            case TRAILER_FIELDS:
                fields(in, out, true);
                return;
            default: // BAD_MESSAGE
                in.skipBytes(in.readableBytes());
        }
    }

    /** The connection closed: what {@code in} still holds is decoded, then {@link #endOfInput}. */
    public void decodeLast(ByteBuf in, List<Object> out) {
        if (in.isReadable()) {
            decode(in, out);
        }
        endOfInput(in, out);
    }

    /**
     * No byte comes after {@code in}: a head cut short after its request line is reported, as Netty's decoder
     * does; a body cut short just ends (the request is incomplete, not ended).
     */
    public void endOfInput(ByteBuf in, List<Object> out) {
        if (state == HEAD_FIELDS) {
            out.add(failed(in, new PrematureChannelClosureException("Connection closed before received headers")));
        } else if (state != BAD_MESSAGE) {
            endMessage();
        }
    }

    // ---- the head ----

    /** RFC 9112 2.2: empty lines before a request line are ignored. */
    private boolean skipEmptyLines(ByteBuf in, List<Object> out) {
        int readable = in.readableBytes();
        if (readable == 0) {
            return false;
        }
        int max = Math.min(maxLineLength, readable);
        int first = in.forEachByte(in.readerIndex(), max, ByteProcessor.FIND_NON_CRLF);
        if (first < 0) {
            in.skipBytes(max);
            if (readable > maxLineLength) {
                out.add(failed(in, tooLongLine()));
            }
            return false;
        }
        int b = in.getByte(first) & 0xFF;
        in.readerIndex(first);
        if (b < 0x20 || b >= 0x7F && b <= 0x9F) {
            out.add(failed(in, new MalformedHttpException("control character before the request line")));
            return false;
        }
        oddNames = false;
        state = REQUEST_LINE;
        return true;
    }

    /** {@link #line}: the line has not arrived whole yet. */
    private static final int LINE_MORE = -1;
    /** {@link #line}: the line is longer than the initial-line limit. */
    private static final int LINE_TOO_LONG = -2;
    /** {@link #line}: the line ends in a LF without its CR (RFC 9112 2.2: refused, never taken as a line end). */
    private static final int LINE_BARE_LF = -3;

    /**
     * The length of the line at the reader index, its CRLF excluded, when it has arrived whole and within {@code
     * maxInitialLineLength}; else {@link #LINE_MORE}, {@link #LINE_TOO_LONG} or {@link #LINE_BARE_LF}. Reads no
     * further than the limit allows, so a client cannot make the search run through an endless line.
     */
    private int line(ByteBuf in) {
        int readable = in.readableBytes();
        if (readable == 0) {
            return LINE_MORE;
        }
        int r = in.readerIndex();
        int lf = in.indexOf(r, r + (int) Math.min(maxLineLength + 2L, readable), (byte) '\n');
        if (lf < 0) {
            return readable > maxLineLength ? LINE_TOO_LONG : LINE_MORE;
        }
        if (lf == r || in.getByte(lf - 1) != '\r') {
            return LINE_BARE_LF;
        }
        int length = lf - 1 - r;
        return length > maxLineLength ? LINE_TOO_LONG : length;
    }

    private boolean requestLine(ByteBuf in, List<Object> out) {
        int length = line(in);
        if (length < 0) {
            if (length != LINE_MORE) {
                out.add(failed(in, length == LINE_TOO_LONG ? tooLongLine()
                        : new MalformedHttpException("bare LF in the request line")));
            }
            return false;
        }
        int r = in.readerIndex();
        int lf = r + length + 1;
        byte[] a = work().scratch(length);
        in.getBytes(r, a, 0, length);
        String problem = work.line.parse(a, length);
        if (problem != null) {
            out.add(failed(in, new MalformedHttpException(problem)));
            return false;
        }
        scanned = lf + 1 - r;
        fieldsFrom = scanned;
        state = HEAD_FIELDS;
        return true;
    }

    /**
     * Checks the field lines that have arrived since the last call, and when the section's empty line is there,
     * hands on the head (or the trailers) and consumes its bytes.
     */
    private void fields(ByteBuf in, List<Object> out, boolean trailers) {
        int r = in.readerIndex();
        int readable = in.readableBytes();
        int lines = 0;
        int size = headerSize;
        int stop;
        int p = scanned;
        HeadWork w = work();
        int[] lineEnds = w.lineEnds;
        while (true) {
            int available = readable - p;
            int room = maxHeaderSize - size;
            int lf = available <= 0 ? -1
                    : in.indexOf(r + p, r + p + (int) Math.min(room + 2L, available), (byte) '\n');
            if (lf < 0) {
                stop = available > room ? TOO_LONG : MORE;
                break;
            }
            lf -= r;
            if (lf == p || in.getByte(r + lf - 1) != '\r') {
                stop = BARE_LF;
                break;
            }
            int length = lf - 1 - p;
            if (length == 0) {
                stop = END;
                break;
            }
            if (length > room) {
                stop = TOO_LONG;
                break;
            }
            size += length;
            if (lines == lineEnds.length) {
                lineEnds = w.lineEndsFor(lines + 1);
            }
            lineEnds[lines++] = lf;
            p = lf + 1;
        }
        // p is where the line that stopped the search starts.
        byte[] a;
        int base;
        // A head given back by an exchange that is over is filled again: its object, headers and arrays.
        DefaultHttpRequest spare = null;
        if (stop == END) {
            int length = p - fieldsFrom;
            spare = trailers ? null : SpareHeads.request();
            byte[] spareBytes = spare == null ? null : ((Http1Headers) spare.headers()).headBytes();
            a = length == 0 ? NO_BYTES : spareBytes != null && spareBytes.length >= length ? spareBytes
                    : new byte[length];
            in.getBytes(r + fieldsFrom, a, 0, length);
            base = fieldsFrom;
        } else {
            a = w.scratch(p - scanned);
            in.getBytes(r + scanned, a, 0, p - scanned);
            base = scanned;
        }
        int from = scanned;
        for (int i = 0; i < lines; i++) {
            int end = lineEnds[i] - 1;
            if (!field(in, out, a, from - base, end - base, base - fieldsFrom, trailers)) {
                return;
            }
            from = end + 2;
        }
        headerSize = size;
        scanned = p;
        switch (stop) {
            case MORE:
                return;
            case TOO_LONG:
                out.add(failed(in, trailers, new TooLongHttpHeaderException(
                        "HTTP header is larger than " + maxHeaderSize + " bytes.")));
                return;
            case BARE_LF:
                out.add(failed(in, trailers, new MalformedHttpException("bare LF in a field line")));
                return;
            default:
                in.skipBytes(p + 2);
                if (trailers) {
                    endTrailers(out, a);
                } else {
                    endHead(in, out, a, spare);
                }
                release(); // the section is read: a body or the next message needs none of it
        }
    }

    /** Checks one field line, {@code a[from, to)}, and records it. */
    private boolean field(ByteBuf in, List<Object> out, byte[] a, int from, int to, int shift, boolean trailers) {
        int at = count * 4;
        int[] offsets = work.offsetsFor(at + 4);
        int bits = FieldLine.check(a, from, to, offsets, at, shift);
        if (bits < 0) {
            out.add(failed(in, trailers, new MalformedHttpException(FieldLine.problem(bits))));
            return false;
        }
        if (trailers) {
            // RFC 9110 6.5.1: framing fields have no business in trailers; dropped, as Netty drops them.
            if ((bits & (FieldLine.CONTENT_LENGTH | FieldLine.TRANSFER_ENCODING | FieldLine.TRAILER)) == 0) {
                count++;
            }
            return true;
        }
        if ((bits & FieldLine.CONTENT_LENGTH) != 0) {
            if (work.contentLengthField >= 0) {
                out.add(failed(in, new MalformedHttpException("more than one Content-Length")));
                return false;
            }
            work.contentLengthField = count;
        } else if ((bits & FieldLine.TRANSFER_ENCODING) != 0) {
            if (work.transferEncodingField >= 0) {
                out.add(failed(in, new MalformedHttpException("more than one Transfer-Encoding")));
                return false;
            }
            work.transferEncodingField = count;
        }
        work.webSocketKey |= (bits & FieldLine.WEBSOCKET_KEY) != 0;
        oddNames |= (bits & FieldLine.ODD_NAME) != 0;
        count++;
        return true;
    }

    /** The head is whole: RFC 9112 6 decides how long its body is. */
    private void endHead(ByteBuf in, List<Object> out, byte[] a, DefaultHttpRequest spare) {
        int[] offsets = work.offsets;
        RequestLine line = work.line;
        HttpVersion version = line.version();
        Http1Headers headers;
        DefaultHttpRequest request;
        if (spare == null) {
            headers = new Http1Headers(a, work.offsetsCopy(count * 4, null), count);
            request = new DefaultHttpRequest(version, line.method(), line.uri(), headers, false);
        } else {
            headers = (Http1Headers) spare.headers();
            headers.reuse(a, work.offsetsCopy(count * 4, headers.offsets()), count);
            request = spare;
            request.setMethod(line.method()).setUri(line.uri()).setProtocolVersion(version)
                    .setDecoderResult(DecoderResult.SUCCESS);
        }
        headers.lend(true);
        String problem = null;
        long length = -1;
        boolean chunked = false;
        if (work.contentLengthField >= 0) {
            int at = work.contentLengthField * 4;
            length = Framing.contentLength(a, offsets[at + 2], offsets[at + 3]);
            if (length < 0) {
                problem = "invalid Content-Length";
            }
        } else if (work.webSocketKey && line.method() == HttpMethod.GET && headers.contains("sec-websocket-key1")
                && headers.contains("sec-websocket-key2")) {
            length = 8; // a draft-76 WebSocket handshake's body, as Netty's decoder reads it
        }
        if (problem == null && work.transferEncodingField >= 0) {
            int at = work.transferEncodingField * 4;
            if (version != HttpVersion.HTTP_1_1) {
                problem = "Transfer-Encoding in a request older than HTTP/1.1"; // RFC 9112 6.1
            } else if (!Framing.lastCodingIsChunked(a, offsets[at + 2], offsets[at + 3])) {
                problem = "the final transfer coding of a request must be chunked once"; // RFC 9112 6.3
            } else if (work.contentLengthField >= 0) {
                problem = "both Content-Length and Transfer-Encoding"; // RFC 9112 6.1: a smuggling attempt
            } else {
                chunked = true;
            }
        }
        if (problem != null) {
            request.setDecoderResult(DecoderResult.failure(new MalformedHttpException(problem)));
            in.skipBytes(in.readableBytes());
            state = BAD_MESSAGE;
            out.add(request);
            return;
        }
        out.add(request);
        if (chunked) {
            state = CHUNK_SIZE;
        } else if (length > 0) {
            remaining = length;
            state = FIXED_BODY;
        } else {
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            endMessage();
        }
    }

    // ---- the body ----

    private void fixedBody(ByteBuf in, List<Object> out) {
        int readable = in.readableBytes();
        if (readable == 0) {
            return;
        }
        int n = (int) Math.min(Math.min(readable, maxChunkSize), remaining);
        ByteBuf content = in.readRetainedSlice(n);
        remaining -= n;
        if (remaining == 0) {
            // No trailers come after a Content-Length body: the one immutable empty set, not a map per request.
            out.add(new DefaultLastHttpContent(content, EmptyHttpHeaders.INSTANCE));
            endMessage();
        } else {
            out.add(new DefaultHttpContent(content));
        }
    }

    private boolean chunkSize(ByteBuf in, List<Object> out) {
        int length = line(in);
        if (length < 0) {
            if (length != LINE_MORE) {
                out.add(failedChunk(in, length == LINE_TOO_LONG ? tooLongLine()
                        : new MalformedHttpException("bare LF after a chunk size")));
            }
            return false;
        }
        int r = in.readerIndex();
        int lf = r + length + 1;
        long size = ChunkLine.size(in, r, length);
        if (size == ChunkLine.INVALID) {
            out.add(failedChunk(in, new MalformedHttpException("invalid chunk size line")));
            return false;
        }
        in.readerIndex(lf + 1);
        if (size == 0) {
            scanned = 0;
            fieldsFrom = 0;
            count = 0;
            state = TRAILER_FIELDS;
            return false;
        }
        remaining = size;
        state = CHUNK_DATA;
        return true;
    }

    private boolean chunkData(ByteBuf in, List<Object> out) {
        int n = (int) Math.min(Math.min(remaining, maxChunkSize), in.readableBytes());
        if (n == 0) {
            return false;
        }
        out.add(new DefaultHttpContent(in.readRetainedSlice(n)));
        remaining -= n;
        if (remaining != 0) {
            return false;
        }
        state = CHUNK_END;
        return true;
    }

    /** RFC 9112 7.1: chunk data ends with CRLF. */
    private void chunkEnd(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 2) {
            return;
        }
        int r = in.readerIndex();
        if (in.getByte(r) == '\r' && in.getByte(r + 1) == '\n') {
            in.skipBytes(2);
            state = CHUNK_SIZE;
        } else {
            out.add(failedChunk(in, new MalformedHttpException("chunk data not followed by CRLF")));
        }
    }

    private void endTrailers(List<Object> out, byte[] a) {
        if (a.length == 0) {
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
        } else {
            Http1Headers trailers = new Http1Headers(a, work.offsetsCopy(count * 4, null), count);
            out.add(new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, trailers));
        }
        endMessage();
    }

    // ---- the end of a message ----

    private void endMessage() {
        state = SKIP_EMPTY_LINES;
        scanned = 0;
        fieldsFrom = 0;
        headerSize = 0;
        count = 0;
        remaining = 0;
        release();
    }

    private HeadWork work() {
        if (work == null) {
            work = HeadWork.take();
        }
        return work;
    }

    private void release() {
        if (work != null) {
            work.clear();
            HeadWork.giveBack(work);
            work = null;
        }
    }

    /** A refused head: the request so far, or a stand-in when not even its request line was read. */
    private HttpObject failed(ByteBuf in, Exception cause) {
        in.skipBytes(in.readableBytes());
        RequestLine line = work == null ? null : work.line; // null: not even a request line was read
        HttpObject failed = line == null || line.method() == null
                ? new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/bad-request",
                        Unpooled.EMPTY_BUFFER)
                : new DefaultHttpRequest(line.version(), line.method(), line.uri(), new Http1Headers(), false);
        failed.setDecoderResult(DecoderResult.failure(cause));
        endMessage();
        state = BAD_MESSAGE;
        return failed;
    }

    private HttpObject failed(ByteBuf in, boolean trailers, Exception cause) {
        return trailers ? failedChunk(in, cause) : failed(in, cause);
    }

    /** A refused body: its last piece, failed. */
    private HttpObject failedChunk(ByteBuf in, Exception cause) {
        in.skipBytes(in.readableBytes());
        HttpObject failed = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
        failed.setDecoderResult(DecoderResult.failure(cause));
        endMessage();
        state = BAD_MESSAGE;
        return failed;
    }

    private TooLongHttpLineException tooLongLine() {
        return new TooLongHttpLineException("An HTTP line is larger than " + maxLineLength + " bytes.");
    }
}
