package dev.bascule.http1;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;

/**
 * The HTTP/1 codec of a connection to an origin, in place of Netty's {@code HttpClientCodec}: Bascule's {@link
 * ResponseDecoder} and a request encoder that writes an {@link Http1Headers} as its received bytes. The encoder
 * notes each request's method so that the decoder knows a response to HEAD has no body (RFC 9112 6.3 item 1).
 *
 * <p>Threading: one per connection, on its channel's event loop.
 */
public final class OriginCodec extends CombinedChannelDuplexHandler<ResponseDecoder, OriginCodec.RequestWriter> {

    /**
     * @param config the limits (initial line, header size, chunk size); it must ask for the strict parsing this
     *     codec always does: strict line endings, RFC 9112 transfer-encoding rules, no duplicate Content-Length
     */
    public OriginCodec(HttpDecoderConfig config) {
        if (!config.isStrictLineParsing() || !config.isUseRfc9112TransferEncoding()
                || config.isAllowDuplicateContentLengths()) {
            throw new IllegalArgumentException("OriginCodec parses strictly; the config asks for leniency");
        }
        Queue<HttpMethod> methods = new ArrayDeque<>(4);
        init(new ResponseDecoder(config.getMaxInitialLineLength(), config.getMaxHeaderSize(),
                config.getMaxChunkSize(), methods), new RequestWriter(methods));
    }

    /** Netty's request encoder, but a head's fields go out as {@link Http1Headers#encode} writes them. */
    static final class RequestWriter extends HttpRequestEncoder {
        private final Queue<HttpMethod> methods;

        RequestWriter(Queue<HttpMethod> methods) {
            this.methods = methods;
        }

        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            if (msg instanceof HttpRequest request) {
                methods.offer(request.method());
            }
            super.encode(ctx, msg, out);
        }

        @Override
        protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
            Http1Headers.encode(headers, buf);
        }
    }
}
