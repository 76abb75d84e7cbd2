package dev.bascule.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Queue;

/**
 * The HTTP/1 codec of a connection to an origin, in place of Netty's {@code HttpClientCodec}, as one handler:
 * Bascule's {@link ResponseDecoder} over the bytes it keeps ({@link Cumulation}), and {@link Http1MessageWriter}
 * for requests, which writes an {@link Http1Headers} as its received bytes. Each request's method is noted as it
 * goes out, so that the decoder knows a response to HEAD has no body (RFC 9112 6.3 item 1).
 *
 * <p>Reads go as with Netty's {@code ByteToMessageDecoder}: what a read decodes is handed on at once, a socket
 * read that decoded nothing while auto-read is off asks for another (a message is owed), what is left when the
 * codec leaves the pipeline (after a 101) goes on as bytes, and the end of input is decoded at {@code
 * channelInactive} (a body delimited by the close ends there).
 *
 * <p>Threading: one per connection, on its channel's event loop.
 */
public final class OriginCodec extends ChannelDuplexHandler {
    private final ResponseDecoder decoder;
    private final Http1MessageWriter writer = Http1MessageWriter.requests();
    /** Methods of the requests sent and not yet answered, oldest first. */
    private final Queue<HttpMethod> methods = new ArrayDeque<>(4);
    private final Cumulation cumulation = new Cumulation();
    /** What one decoding pass made; reused. */
    private final ArrayList<Object> out = new ArrayList<>(4);
    /** Since the last read-complete: bytes were read, and a message was handed on. */
    private boolean readSome;
    private boolean handedOn;

    /**
     * @param config the limits (initial line, header size, chunk size); it must ask for the strict parsing this
     *     codec always does: strict line endings, RFC 9112 transfer-encoding rules, no duplicate Content-Length
     */
    public OriginCodec(HttpDecoderConfig config) {
        if (!config.isStrictLineParsing() || !config.isUseRfc9112TransferEncoding()
                || config.isAllowDuplicateContentLengths()) {
            throw new IllegalArgumentException("OriginCodec parses strictly; the config asks for leniency");
        }
        decoder = new ResponseDecoder(config.getMaxInitialLineLength(), config.getMaxHeaderSize(),
                config.getMaxChunkSize(), methods);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        readSome = true;
        ByteBuf buf = cumulation.add(ctx.alloc(), in);
        if (decodeAndHandOn(ctx, buf)) {
            cumulation.releaseIfDrained();
        }
    }

    /**
     * Decodes pass by pass, handing on what each pass made before the next, as {@code ByteToMessageDecoder} does:
     * a handler may take the codec out meanwhile (its bytes then went on with it).
     *
     * @return false when the codec left the pipeline, and {@code buf} with it
     */
    private boolean decodeAndHandOn(ChannelHandlerContext ctx, ByteBuf buf) {
        while (buf.isReadable()) {
            int before = buf.readableBytes();
            try {
                decoder.decode(buf, out);
            } catch (RuntimeException e) {
                handOn(ctx); // what the pass made before it failed is not lost, as with ByteToMessageDecoder
                throw new DecoderException(e);
            }
            if (!handOn(ctx)) {
                return false;
            }
            if (buf.readableBytes() == before) {
                break; // the rest waits for more bytes
            }
        }
        return true;
    }

    /** @return false when the codec left the pipeline while the messages went on */
    private boolean handOn(ChannelHandlerContext ctx) {
        int n = out.size();
        if (n == 0) {
            return true;
        }
        handedOn = true;
        try {
            for (int i = 0; i < n; i++) {
                ctx.fireChannelRead(out.get(i));
            }
        } finally {
            out.clear();
        }
        return !ctx.isRemoved();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        cumulation.discardReadBytes();
        if (readSome && !handedOn && !ctx.channel().config().isAutoRead()) {
            ctx.read(); // half a message: the handler after this one is owed a message, so read on
        }
        readSome = false;
        handedOn = false;
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        inputClosed(ctx);
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputClosed(ctx);
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** No more bytes come: what is left is decoded, then the end itself (a body read until the close ends). */
    private void inputClosed(ChannelHandlerContext ctx) {
        handedOn = false;
        try {
            ByteBuf buf = cumulation.buffer();
            if (buf != null && !decodeAndHandOn(ctx, buf)) {
                return; // the codec left, and the bytes not decoded went on with it
            }
            buf = cumulation.buffer();
            decoder.decodeLast(buf == null ? Unpooled.EMPTY_BUFFER : buf, out);
            handOn(ctx);
        } finally {
            cumulation.release();
        }
        if (handedOn) {
            handedOn = false;
            ctx.fireChannelReadComplete();
        }
    }

    /** Leaving the pipeline (for a tunnel, after a 101): the bytes not decoded go on to what follows. */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cumulation.handOnRest(ctx);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!writer.accepts(msg)) {
            ctx.write(msg, promise);
            return;
        }
        if (msg instanceof HttpRequest request) {
            methods.offer(request.method());
        }
        writer.write(ctx, msg, promise);
    }
}
