package dev.bascule.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.Http2FrameWriter;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import java.util.function.BiConsumer;

/**
 * Netty's frame writer and Bascule's, each on an embedded channel of its own, given the same calls: what they put
 * on the wire must be the same bytes, frame for frame, HPACK state included.
 */
final class WriterPair implements AutoCloseable {
    private final EmbeddedChannel nettyChannel = new EmbeddedChannel();
    private final EmbeddedChannel basculeChannel = new EmbeddedChannel();
    private final Http2FrameWriter netty;
    private final FrameWriter bascule;
    private final ChannelHandlerContext nettyCtx;
    private final ChannelHandlerContext basculeCtx;

    WriterPair(Http2HeadersEncoder.SensitivityDetector sensitivity) {
        netty = new DefaultHttp2FrameWriter(sensitivity);
        nettyCtx = contextOf(nettyChannel);
        FrameOutput output = new FrameOutput();
        basculeChannel.pipeline().addLast(output);
        basculeCtx = contextOf(basculeChannel);
        bascule = new FrameWriter(output, sensitivity);
    }

    /** The context a writer writes on, as the HTTP/2 connection handler's would be: the pipeline's last. */
    private static ChannelHandlerContext contextOf(EmbeddedChannel channel) {
        channel.pipeline().addLast("writer", new ChannelDuplexHandler());
        return channel.pipeline().context("writer");
    }

    /**
     * Makes the same call on both writers, each with arguments of its own (the call runs once per writer, so a
     * buffer it makes is each writer's to take). A call either writer refuses by throwing is ignored: only the
     * bytes are compared.
     */
    void both(BiConsumer<Http2FrameWriter, ChannelHandlerContext> call) {
        attempt(call, netty, nettyCtx);
        attempt(call, bascule, basculeCtx);
    }

    private static void attempt(BiConsumer<Http2FrameWriter, ChannelHandlerContext> call, Http2FrameWriter writer,
            ChannelHandlerContext ctx) {
        try {
            call.accept(writer, ctx);
        } catch (RuntimeException refused) {
            // Netty's writer rethrows some refusals that Bascule's reports on the promise; neither writes a byte
        }
    }

    void flush() {
        nettyChannel.flush();
        basculeChannel.flush();
    }

    /** Flushes both; the wire bytes of each, as hex, when they differ, else null. */
    String difference() {
        flush();
        String expected = ByteBufUtil.hexDump(drain(nettyChannel));
        String actual = ByteBufUtil.hexDump(drain(basculeChannel));
        return expected.equals(actual) ? null : "Netty's writer wrote\n" + expected + "\nBascule's wrote\n" + actual;
    }

    /** Whether Netty's writer wrote anything so far (a comparison of nothing with nothing proves little). */
    boolean nettyWrote() {
        return !nettyChannel.outboundMessages().isEmpty();
    }

    private static byte[] drain(EmbeddedChannel channel) {
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            all.writeBytes(b);
            b.release();
        }
        return ByteBufUtil.getBytes(all);
    }

    @Override
    public void close() {
        netty.close();
        bascule.close();
        nettyChannel.finishAndReleaseAll();
        basculeChannel.finishAndReleaseAll();
    }
}
