package dev.bascule.proxy;

import dev.bascule.control.UnderscoreHeaders;
import dev.bascule.http1.Http1Headers;
import dev.bascule.http1.Http1RequestDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * The client connection's HTTP/1.1 codec: Bascule's strict request decoder ({@link Http1RequestDecoder}) and
 * Netty's response encoder, like {@code HttpServerCodec}. A request the decoder refuses reaches the next handler
 * as a failed message (its {@code decoderResult}), and every byte after it is dropped: after a bad message the
 * stream cannot be trusted.
 *
 * <p>Before a request head is handed on, the codec also settles what can only be settled here: header names that
 * fold into a protected one are dropped and names with an underscore follow the listener's {@link
 * UnderscoreHeaders} policy ({@link HeaderNameRules}, only when the decoder saw such a name); and a body already
 * read together with its head is decoded before the head goes on, so a malformed one refuses the whole request
 * before anything of it can reach an origin.
 *
 * <p>After a request that asks to upgrade (a WebSocket handshake), decoding stops until its final response is
 * written: should the origin switch protocols, what the client sent after the handshake is not HTTP, and stays in
 * the decoder's buffer for the tunnel (it is handed on when the codec leaves the pipeline); otherwise decoding
 * goes on at the next read.
 *
 * <p>The encoder remembers which requests were HEAD, so a response to one never carries a body (RFC 9110 9.3.2),
 * as {@code HttpServerCodec} does. At most {@code maxPipelineDepth} requests may be decoded ahead of their
 * responses; the next one is refused, which bounds what one connection can make Bascule hold.
 *
 * <p>Threading: confined to the connection's event loop.
 */
final class FrontendCodec extends CombinedChannelDuplexHandler<FrontendCodec.RequestDecoder,
        FrontendCodec.ResponseEncoder> {
    static final int DEFAULT_MAX_PIPELINE_DEPTH = 128;

    /** Whether each request decoded and not yet answered was a HEAD, oldest first (a ring). */
    private final long[] heads;
    /** How many requests {@link #heads} has room for: the deepest pipeline allowed. */
    private final int depth;
    private final UnderscoreHeaders underscoreHeaders;
    private int first;
    private int pending;
    /** Bytes decoded and encoded on this connection so far, for the access log and the listener's totals. */
    private long bytesRead;
    private long bytesWritten;

    FrontendCodec(HttpDecoderConfig config) {
        this(config, DEFAULT_MAX_PIPELINE_DEPTH, UnderscoreHeaders.ALLOW);
    }

    FrontendCodec(HttpDecoderConfig config, int maxPipelineDepth) {
        this(config, maxPipelineDepth, UnderscoreHeaders.ALLOW);
    }

    /** @param underscoreHeaders from the settings the connection was accepted under, like the decoder's limits */
    FrontendCodec(HttpDecoderConfig config, int maxPipelineDepth, UnderscoreHeaders underscoreHeaders) {
        depth = maxPipelineDepth;
        heads = new long[(maxPipelineDepth + 63) / 64]; // a bit per request: every idle connection keeps this
        this.underscoreHeaders = underscoreHeaders;
        init(new RequestDecoder(config), new ResponseEncoder());
    }

    private boolean enqueue(boolean head) {
        if (pending == depth) {
            return false;
        }
        int at = (first + pending++) % depth;
        if (head) {
            heads[at >>> 6] |= 1L << at;
        } else {
            heads[at >>> 6] &= ~(1L << at);
        }
        return true;
    }

    /**
     * A read is asked for: if decoding stopped after a request that asked to upgrade and that request has been
     * answered without a switch, decode what was read past it before reading more.
     */
    @Override
    public void read(ChannelHandlerContext ctx) throws Exception {
        RequestDecoder decoder = inboundHandler();
        if (decoder.paused && pending == 0) {
            decoder.paused = false;
            if (decoder.buffered()) {
                channelRead(ctx, Unpooled.EMPTY_BUFFER); // decodes the buffered bytes
            }
        }
        super.read(ctx);
    }

    /** Bytes of requests this connection has decoded so far (heads and bodies as on the wire). */
    long bytesRead() {
        return bytesRead;
    }

    /** Bytes of responses this connection has encoded so far. */
    long bytesWritten() {
        return bytesWritten;
    }

    private boolean pollHead() {
        if (pending == 0) {
            return false; // a response of Bascule's own to no request, such as a 408
        }
        boolean head = (heads[first >>> 6] & (1L << first)) != 0;
        first = (first + 1) % depth;
        pending--;
        return head;
    }

    /** The failure a refused request head reaches the next handler with. */
    static final class MalformedRequestException extends IllegalArgumentException {
        MalformedRequestException(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // a value, not a bug: the stack trace would cost more than the request
        }
    }

    final class RequestDecoder extends Http1RequestDecoder {
        private boolean inHead = true;
        private boolean discard;
        /** The request being read asks to upgrade: decoding pauses at its end. */
        private boolean upgradeAsked;
        /** Decoding waits for the answer to a request that asked to upgrade (see {@link FrontendCodec#read}). */
        private boolean paused;

        RequestDecoder(HttpDecoderConfig config) {
            super(config);
        }

        boolean buffered() {
            return actualReadableBytes() > 0;
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
            if (paused) {
                // Not the decoder's usual read-again-when-nothing-was-decoded: while paused nothing is, and
                // reading on would buffer whatever the client sends. Reads are the frontend's to ask for.
                ctx.fireChannelReadComplete();
                return;
            }
            super.channelReadComplete(ctx);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            if (paused) {
                return; // the bytes stay in the buffer
            }
            int before = buffer.readerIndex();
            if (discard) {
                buffer.skipBytes(buffer.readableBytes());
            } else {
                int head = step(ctx, buffer, out);
                if (head >= 0) {
                    readAhead(ctx, buffer, out, head);
                }
            }
            bytesRead += buffer.readerIndex() - before;
        }

        /**
         * One pass of the decoder, with the checks on what it produced.
         *
         * @return the index in {@code out} of an accepted request head it produced whose body is still to come,
         *     else -1
         */
        private int step(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            int oldSize = out.size();
            super.decode(ctx, buffer, out);
            String problem = null;
            int head = -1;
            for (int i = oldSize; i < out.size(); i++) {
                Object msg = out.get(i);
                boolean failed = ((HttpObject) msg).decoderResult().isFailure();
                if (msg instanceof HttpRequest request) {
                    inHead = false;
                    upgradeAsked = !failed && request.headers().contains(HttpHeaderNames.UPGRADE);
                    if (!failed && oddNames()
                            && !HeaderRules.screenNames(request.headers(), underscoreHeaders)) {
                        problem = "header name with an underscore";
                    }
                    if (!enqueue(HttpMethod.HEAD.equals(request.method())) && problem == null) {
                        problem = "too many pipelined requests";
                    }
                    if (!failed && problem != null) {
                        request.setDecoderResult(DecoderResult.failure(new MalformedRequestException(problem)));
                        failed = true;
                    }
                    head = failed ? -1 : i;
                }
                if (msg instanceof LastHttpContent && !failed) {
                    inHead = true;
                    head = -1;
                    if (upgradeAsked) {
                        upgradeAsked = false;
                        paused = true;
                    }
                }
                if (failed) {
                    discard = true;
                    dropAfter(out, i);
                    return -1;
                }
            }
            return head;
        }

        /**
         * Decodes the body of the request head at {@code out[head]} as far as the bytes already read go, before the
         * head is handed on. A body that turns out malformed there (a bad chunk size in the same segment as the
         * head, say) fails the head itself: the request is answered 400 and nothing of it reaches an origin, as
         * with nginx and HAProxy, where a head sent ahead would leave the origin a partial request. Only bytes
         * already in the buffer are looked at, so nothing more is held than the flow-control queue would hold
         * anyway; and a request whose body has not arrived costs one decoder pass that finds nothing.
         */
        private void readAhead(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out, int head)
                throws Exception {
            while (!inHead && !discard && buffer.isReadable()) {
                int readable = buffer.readableBytes();
                int produced = out.size();
                step(ctx, buffer, out);
                if (buffer.readableBytes() == readable && out.size() == produced) {
                    return; // the rest of this piece of body is still on the wire
                }
            }
            if (discard && !inHead) {
                Throwable cause = ((HttpObject) out.get(out.size() - 1)).decoderResult().cause();
                dropAfter(out, head);
                ((HttpRequest) out.get(head)).setDecoderResult(DecoderResult.failure(
                        new MalformedRequestException("malformed body: " + cause)));
            }
        }

        private void dropAfter(List<Object> out, int index) {
            while (out.size() > index + 1) {
                ReferenceCountUtil.release(out.remove(out.size() - 1));
            }
        }
    }

    final class ResponseEncoder extends HttpResponseEncoder {
        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            int from = out.size();
            super.encode(ctx, msg, out);
            for (int i = from; i < out.size(); i++) {
                Object o = out.get(i);
                if (o instanceof ByteBuf b) {
                    bytesWritten += b.readableBytes();
                } else if (o instanceof io.netty.channel.FileRegion f) {
                    bytesWritten += f.count();
                }
            }
        }

        /** A head read by Bascule's own decoder goes out as its received bytes, with only the changes spliced in. */
        @Override
        protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
            Http1Headers.encode(headers, buf);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                return super.isContentAlwaysEmpty(msg); // interim: the final response is still to come
            }
            return pollHead() || super.isContentAlwaysEmpty(msg);
        }
    }
}
