package dev.bascule.http1;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpDecoderConfig;
import java.util.List;

/**
 * {@link Http1RequestDecoder} as a handler of its own, behind Netty's {@code ByteToMessageDecoder}, for tests and
 * benchmarks that compare it with Netty's decoders in a pipeline. (In Bascule the frontend's codec holds the
 * decoder and keeps the bytes itself.)
 *
 * <p>Threading: one per channel, on its event loop.
 */
public class RequestDecoding extends ByteToMessageDecoder {
    private final Http1RequestDecoder decoder;

    public RequestDecoding(HttpDecoderConfig config) {
        this.decoder = new Http1RequestDecoder(config);
    }

    /** The decoder this hands the bytes to. */
    public final Http1RequestDecoder decoder() {
        return decoder;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        decoder.decode(in, out);
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        decoder.decodeLast(in, out);
    }
}
