package dev.bascule.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * Tells HTTP/2 with prior knowledge from HTTP/1.1 on a plain port that serves both ({@code protocols: [http1,
 * h2c]}): an HTTP/2 client starts with the connection preface (RFC 9113 3.4), which no HTTP/1 request line can
 * begin like past its first bytes. As soon as the bytes read decide it, the matching pipeline is installed and
 * this handler steps aside, handing on everything read so far. The client header timeout in front of it bounds
 * how long a client may take to say which: when it expires first, the connection is closed.
 *
 * <p>Threading: confined to the connection's event loop.
 */
final class PrefaceSniffer extends ByteToMessageDecoder {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** Installs the pipeline of the protocol found: true for HTTP/2. */
    private final Consumer<Boolean> install;
    private boolean decided;

    PrefaceSniffer(Consumer<Boolean> install) {
        this.install = install;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.read(); // auto-read is off: ask for the first bytes
        super.channelActive(ctx);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            ctx.read();
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (decided) {
            return;
        }
        int n = Math.min(in.readableBytes(), PREFACE.length);
        int start = in.readerIndex();
        for (int i = 0; i < n; i++) {
            if (in.getByte(start + i) != PREFACE[i]) {
                decide(ctx, false);
                return;
            }
        }
        if (n == PREFACE.length) {
            decide(ctx, true);
        }
    }

    private void decide(ChannelHandlerContext ctx, boolean http2) {
        decided = true;
        install.accept(http2);
        ctx.pipeline().remove(this); // hands what was read on to the pipeline just installed
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ClientTimeouts.Expired.HEADER) {
            ctx.close(); // no protocol said within client_header: nothing to answer in
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (!decided) {
            ctx.read(); // a preface that came in pieces: ask for the rest
        }
        super.channelReadComplete(ctx);
    }
}
