package dev.bascule.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * The client connection's HTTP/1.1 codec: Netty's request decoder and response encoder, like {@code
 * HttpServerCodec}, plus a {@link RequestHeadScanner} over the raw bytes of every request head. A request the
 * scanner refuses reaches the next handler as a failed message (its {@code decoderResult}), exactly like one
 * Netty's decoder refused, and every byte after it is dropped: after a bad message the stream cannot be trusted.
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
    private final boolean[] heads;
    private int first;
    private int pending;

    FrontendCodec(HttpDecoderConfig config) {
        this(config, DEFAULT_MAX_PIPELINE_DEPTH);
    }

    FrontendCodec(HttpDecoderConfig config, int maxPipelineDepth) {
        heads = new boolean[maxPipelineDepth];
        init(new RequestDecoder(config), new ResponseEncoder());
    }

    private boolean enqueue(boolean head) {
        if (pending == heads.length) {
            return false;
        }
        heads[(first + pending++) % heads.length] = head;
        return true;
    }

    private boolean pollHead() {
        if (pending == 0) {
            return false; // a response of Bascule's own to no request, such as a 408
        }
        boolean head = heads[first];
        first = (first + 1) % heads.length;
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

    final class RequestDecoder extends HttpRequestDecoder {
        private final RequestHeadScanner scanner = new RequestHeadScanner();
        private boolean inHead = true;
        private boolean discard;

        RequestDecoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            if (discard) {
                buffer.skipBytes(buffer.readableBytes());
                return;
            }
            int from = buffer.readerIndex();
            int oldSize = out.size();
            super.decode(ctx, buffer, out);
            int to = buffer.readerIndex();
            String problem = null;
            boolean netty = false;
            for (int i = oldSize; i < out.size() && !netty; i++) {
                netty = out.get(i) instanceof HttpObject o && o.decoderResult().isFailure();
            }
            if (inHead && to > from && !netty) {
                problem = scanner.scan(buffer, from, to);
            }
            for (int i = oldSize; i < out.size(); i++) {
                Object msg = out.get(i);
                boolean failed = ((HttpObject) msg).decoderResult().isFailure();
                if (msg instanceof HttpRequest request) {
                    inHead = false;
                    if (!failed && problem == null && !scanner.done()) {
                        problem = "request head not scanned"; // cannot happen; never forward what was not checked
                    }
                    if (!enqueue(HttpMethod.HEAD.equals(request.method())) && problem == null) {
                        problem = "too many pipelined requests";
                    }
                    if (!failed && problem != null) {
                        request.setDecoderResult(DecoderResult.failure(new MalformedRequestException(problem)));
                        failed = true;
                    }
                }
                if (msg instanceof LastHttpContent && !failed) {
                    inHead = true;
                    scanner.reset();
                }
                if (failed) {
                    discard = true;
                    dropAfter(out, i);
                    return;
                }
            }
            if (problem != null) {
                // The head is refused before its end arrived: report it now rather than wait for the rest.
                discard = true;
                enqueue(false);
                out.add(malformed(problem));
            }
        }

        private void dropAfter(List<Object> out, int index) {
            while (out.size() > index + 1) {
                ReferenceCountUtil.release(out.remove(out.size() - 1));
            }
        }

        private HttpRequest malformed(String problem) {
            HttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/bad-request",
                    Unpooled.EMPTY_BUFFER);
            r.setDecoderResult(DecoderResult.failure(new MalformedRequestException(problem)));
            return r;
        }
    }

    final class ResponseEncoder extends HttpResponseEncoder {
        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                return super.isContentAlwaysEmpty(msg); // interim: the final response is still to come
            }
            return pollHead() || super.isContentAlwaysEmpty(msg);
        }
    }
}
