package dev.bascule.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.PromiseCombiner;
import io.netty.util.internal.StringUtil;
import java.util.ArrayList;
import java.util.function.Predicate;

/**
 * Writes outbound HTTP/1 messages as bytes, for the handler that owns the connection's codec: the bytes Netty's
 * {@code HttpRequestEncoder} or {@code HttpResponseEncoder} writes, message for message (start line, fields, chunk
 * framing, trailers), with the fields written by {@link Http1Headers#encode} so a head read by Bascule goes out as
 * the bytes it came in with, only the fields Bascule changed spliced in. It is a plain object, not a handler, so
 * the codec that owns it needs no pipeline hop of its own.
 *
 * <p>Framing, as Netty's: a head that says {@code Transfer-Encoding: chunked} gets its content as chunks (a size
 * line, the bytes, CRLF), and its last content as the last chunk with the trailers (RFC 9112 7.1); a message whose
 * content is always empty (a response to HEAD, a 1xx, 204, 205 or 304, as the caller's rule says) gets no body
 * bytes at all; any other content passes as it is. Netty's state checks are kept: content before a head, or a
 * head before the last content of the one before, is refused with the same {@link EncoderException}.
 *
 * <p>Where the pieces differ from Netty's (the bytes never do): a body is never copied but when it is small
 * ({@value #COPY_LIMIT} bytes or less), so a small chunk goes out with its size line and CRLF in one buffer, and
 * the CRLF after a larger chunk shares its buffer with the last chunk and trailers that follow it in the same
 * message. Fewer pieces mean fewer writes through the pipeline and fewer outbound-buffer entries.
 *
 * <p>Threading: one per connection, used on its event loop only.
 */
public final class Http1MessageWriter {
    /** Bodies up to this size are copied next to their framing rather than written as a piece of their own. */
    static final int COPY_LIMIT = 1024;
    private static final int INIT = 0;
    private static final int PLAIN = 1;
    private static final int CHUNKED = 2;
    private static final int EMPTY = 3;
    private static final short CRLF = ('\r' << 8) | '\n';
    private static final byte[] HEX = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

    /** Whether this writes responses (else requests), and for a response head whether its content is never sent. */
    private final Predicate<HttpResponse> responseAlwaysEmpty;
    private final StartLine startLine;
    private int state = INIT;
    /** A running guess of a head's size, so its buffer is rarely grown (as Netty's encoder guesses). */
    private int headGuess = 256;
    /**
     * The pieces of the message being written, borrowed from the thread's {@link SpareLists} for one write: an idle
     * connection keeps no list. Null between writes.
     */
    private ArrayList<Object> out;

    private Http1MessageWriter(Predicate<HttpResponse> responseAlwaysEmpty, StartLine startLine) {
        this.responseAlwaysEmpty = responseAlwaysEmpty;
        this.startLine = startLine;
    }

    /** A writer of requests, as {@code HttpRequestEncoder} writes them. */
    public static Http1MessageWriter requests() {
        return new Http1MessageWriter(null, StartLine.REQUEST);
    }

    /**
     * A writer of responses, as {@code HttpResponseEncoder} writes them.
     *
     * @param alwaysEmpty asked once per response head, after the head is known to be in its place: whether the
     *     response has no body whatever its fields say ({@link #emptyByStatus} is Netty's rule; the client side adds
     *     responses to HEAD)
     */
    public static Http1MessageWriter responses(Predicate<HttpResponse> alwaysEmpty) {
        return new Http1MessageWriter(alwaysEmpty, StartLine.RESPONSE);
    }

    /**
     * Netty's {@code HttpResponseEncoder} rule (RFC 9110 6.4.1, 15.3.6): a 1xx, 204, 205 or 304 never has content;
     * but a 101 carrying Sec-WebSocket-Version may (the obsolete Hixie-76 handshake).
     */
    public static boolean emptyByStatus(HttpResponse response) {
        HttpResponseStatus status = response.status();
        if (status.codeClass() == HttpStatusClass.INFORMATIONAL) {
            if (status.code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                return response.headers().contains(HttpHeaderNames.SEC_WEBSOCKET_VERSION);
            }
            return true;
        }
        int code = status.code();
        return code == 204 || code == 304 || code == 205;
    }

    /** Whether {@code msg} is this writer's to write; anything else passes the codec untouched (as Netty's). */
    public boolean accepts(Object msg) {
        if (startLine == StartLine.RESPONSE) {
            Class<?> type = msg.getClass();
            if (type == DefaultFullHttpResponse.class || type == DefaultHttpResponse.class) {
                return true;
            }
            return acceptable(msg) && !(msg instanceof HttpRequest);
        }
        return acceptable(msg) && !(msg instanceof HttpResponse);
    }

    private static boolean acceptable(Object msg) {
        return msg instanceof HttpMessage || msg instanceof HttpContent || msg instanceof ByteBuf
                || msg instanceof FileRegion;
    }

    /**
     * Writes {@code msg}, which {@link #accepts} took, to {@code ctx} and takes it over (it is released or passed
     * on). {@code promise} completes when all of its bytes are written.
     *
     * @return how many bytes were handed on
     * @throws EncoderException when the message is out of place (content before its head, say), as Netty's encoder
     *     throws; nothing is written then
     */
    public long write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ArrayList<Object> out = SpareLists.take();
        // A write made while this one hands its pieces on (from a listener, say) borrows a list of its own.
        ArrayList<Object> outer = this.out;
        this.out = out;
        try {
            return write(ctx, msg, promise, out);
        } finally {
            this.out = outer;
            SpareLists.giveBack(out);
        }
    }

    private long write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise, ArrayList<Object> out) {
        try {
            encode(ctx.alloc(), msg);
        } catch (Throwable t) {
            for (int i = 0; i < out.size(); i++) {
                ReferenceCountUtil.release(out.get(i));
            }
            out.clear();
            throw t instanceof EncoderException e ? e : new EncoderException(t);
        }
        long bytes = 0;
        int n = out.size();
        for (int i = 0; i < n; i++) {
            Object piece = out.get(i);
            bytes += piece instanceof ByteBuf b ? b.readableBytes() : ((FileRegion) piece).count();
        }
        try {
            if (n == 1) {
                ctx.write(out.get(0), promise);
            } else if (promise.isVoid()) {
                for (int i = 0; i < n; i++) {
                    ctx.write(out.get(i), promise);
                }
            } else {
                // Rare: only a last write that closes the connection listens. Netty's way, one promise per piece.
                PromiseCombiner all = new PromiseCombiner(ctx.executor());
                for (int i = 0; i < n; i++) {
                    all.add(ctx.write(out.get(i)));
                }
                all.finish(promise);
            }
        } finally {
            out.clear();
        }
        return bytes;
    }

    private void encode(ByteBufAllocator alloc, Object msg) {
        if (msg == Unpooled.EMPTY_BUFFER) {
            out.add(Unpooled.EMPTY_BUFFER);
            return;
        }
        if (msg instanceof HttpMessage head) {
            try {
                if (state != INIT) {
                    throw unexpected(msg);
                }
                int next = encodeHead(alloc, head, msg instanceof HttpContent c ? c.content() : null,
                        msg instanceof LastHttpContent last ? last.trailingHeaders() : null);
                // A full message leaves the writer ready for the next head, as does any last content.
                state = msg instanceof LastHttpContent ? INIT : next;
            } finally {
                ReferenceCountUtil.release(msg);
            }
            return;
        }
        if (state == INIT) {
            try {
                if (msg instanceof ByteBuf b && !b.isReadable()) {
                    out.add(b.retain()); // an empty buffer passes, so write(EMPTY_BUFFER).addListener(CLOSE) works
                    return;
                }
                throw unexpected(msg);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
        try {
            if (msg instanceof LastHttpContent last) {
                content(alloc, null, last.content(), last.trailingHeaders(), state);
                state = INIT;
            } else if (msg instanceof HttpContent content) {
                content(alloc, null, content.content(), null, state);
            } else if (msg instanceof ByteBuf b) {
                if (!b.isReadable()) {
                    out.add(b.retain());
                } else {
                    content(alloc, null, b, null, state);
                }
            } else {
                region(alloc, (FileRegion) msg);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * Writes a head and whatever content and trailers came with it.
     *
     * @return the state its content puts the writer in
     */
    private int encodeHead(ByteBufAllocator alloc, HttpMessage head, ByteBuf content, HttpHeaders trailers) {
        int next = startLine == StartLine.RESPONSE && responseAlwaysEmpty.test((HttpResponse) head) ? EMPTY
                : HttpUtil.isTransferEncodingChunked(head) ? CHUNKED : PLAIN;
        int size = content == null ? 0 : content.readableBytes();
        ByteBuf buf = alloc.buffer(headGuess + (size <= COPY_LIMIT && next != EMPTY ? size + 16 : 16));
        try {
            startLine.write(head, buf);
            if (next == EMPTY && startLine == StartLine.RESPONSE) {
                sanitize((HttpResponse) head);
            }
            FieldText.writeFields(head.headers(), buf);
            buf.writeShort(CRLF);
            int written = buf.readableBytes();
            headGuess = Math.max(64, (headGuess * 4 + written + (written >>> 1)) / 5);
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
        if (content == null) {
            out.add(buf);
        } else {
            content(alloc, buf, content, trailers, next);
        }
        return next;
    }

    /**
     * Netty's {@code HttpResponseEncoder}: a 1xx or 204 loses Content-Length and Transfer-Encoding (RFC 9110 8.6,
     * RFC 9112 6.1), a 205 its Transfer-Encoding and gets {@code Content-Length: 0} (RFC 9110 15.3.6).
     */
    private static void sanitize(HttpResponse response) {
        HttpResponseStatus status = response.status();
        if (status.codeClass() == HttpStatusClass.INFORMATIONAL || status.code() == 204) {
            response.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
            response.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        } else if (status.code() == 205) {
            response.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        }
    }

    /**
     * Adds the pieces for one content.
     *
     * @param before bytes already written for this message (its head), to be written first; may take the framing
     *     and a small body; null when there are none
     * @param trailers the trailers of a last content, else null
     * @param st the state the content is written in
     */
    private void content(ByteBufAllocator alloc, ByteBuf before, ByteBuf content, HttpHeaders trailers, int st) {
        if (st == EMPTY) {
            out.add(before != null ? before : Unpooled.EMPTY_BUFFER);
        } else if (st == PLAIN) {
            plain(before, content, content.readableBytes()); // trailers have no place without chunks: dropped
        } else {
            chunk(alloc, before, content, content.readableBytes(), trailers);
        }
    }

    private void plain(ByteBuf before, ByteBuf content, int size) {
        if (before == null) {
            out.add(size > 0 ? content.retain() : Unpooled.EMPTY_BUFFER);
        } else if (size == 0) {
            out.add(before);
        } else if (size <= COPY_LIMIT || before.maxFastWritableBytes() >= size) {
            out.add(before.writeBytes(content, content.readerIndex(), size));
        } else {
            out.add(before);
            out.add(content.retain());
        }
    }

    /** RFC 9112 7.1: {@code size CRLF data CRLF}, and for a last content {@code 0 CRLF trailers CRLF}. */
    private void chunk(ByteBufAllocator alloc, ByteBuf before, ByteBuf content, int size, HttpHeaders trailers) {
        ByteBuf buf = before;
        if (size > 0) {
            if (buf == null) {
                buf = alloc.buffer(size <= COPY_LIMIT ? size + 32 : 16);
            }
            writeHex(buf, size);
            buf.writeShort(CRLF);
            if (size <= COPY_LIMIT) {
                buf.writeBytes(content, content.readerIndex(), size).writeShort(CRLF);
            } else {
                out.add(buf);
                out.add(content.retain());
                buf = alloc.buffer(trailers == null ? 2 : 64);
                buf.writeShort(CRLF);
            }
        }
        if (trailers != null) {
            if (buf == null) {
                buf = alloc.buffer(trailers.isEmpty() ? 5 : 64);
            }
            buf.writeByte('0').writeShort(CRLF);
            FieldText.writeFields(trailers, buf);
            buf.writeShort(CRLF);
        }
        // An empty content that is not the last is no chunk (a zero size would end the body): its empty buffer
        // stands for it, as in Netty's encoder.
        out.add(buf != null ? buf : content.retain());
    }

    private void region(ByteBufAllocator alloc, FileRegion region) {
        long count = region.count();
        if (state == CHUNKED && count > 0) {
            ByteBuf line = alloc.buffer(18);
            writeHex(line, count);
            out.add(line.writeShort(CRLF));
            out.add(region.retain());
            out.add(alloc.buffer(2).writeShort(CRLF));
        } else if (state == CHUNKED || state == PLAIN && count > 0) {
            out.add(region.retain());
        } else {
            out.add(Unpooled.EMPTY_BUFFER);
        }
    }

    private static void writeHex(ByteBuf buf, long value) {
        int digits = value == 0 ? 1 : (Long.SIZE - Long.numberOfLeadingZeros(value) + 3) >>> 2;
        for (int shift = (digits - 1) << 2; shift >= 0; shift -= 4) {
            buf.writeByte(HEX[(int) ((value >>> shift) & 0xF)]);
        }
    }

    private IllegalStateException unexpected(Object msg) {
        return new IllegalStateException("unexpected message type: " + StringUtil.simpleClassName(msg)
                + ", state: " + state);
    }
}
