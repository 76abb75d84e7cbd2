package dev.bascule.http2;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameWriter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Settings;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * Bascule's frame writer against Netty's: the same calls must put the same bytes on the wire, frame for frame, HPACK
 * state included; only the way they are handed on (one buffer per flush) differs.
 */
class FrameWriterTest {
    private static final Http2HeadersEncoder.SensitivityDetector SENSITIVE_COOKIES =
            (name, value) -> "cookie".contentEquals(name);

    @Test
    void everyFrameTypeIsWrittenAsNettyWritesIt() {
        sameBytes((w, ctx) -> {
            w.writeSettings(ctx, new Http2Settings().maxConcurrentStreams(100).initialWindowSize(65_535), promise(ctx));
            w.writeSettingsAck(ctx, promise(ctx));
            w.writePing(ctx, false, 0x0102030405060708L, promise(ctx));
            w.writePing(ctx, true, 42, promise(ctx));
            w.writeHeaders(ctx, 1, response("200"), 0, false, promise(ctx));
            w.writeData(ctx, 1, text("hello"), 0, true, promise(ctx));
            w.writeHeaders(ctx, 3, response("204"), 0, true, promise(ctx));
            w.writeHeaders(ctx, 5, response("200"), 7, (short) 200, true, 0, false, promise(ctx));
            w.writeHeaders(ctx, 5, new DefaultHttp2Headers().add("grpc-status", "0"), 17, true, promise(ctx));
            w.writePriority(ctx, 7, 5, (short) 16, false, promise(ctx));
            w.writeRstStream(ctx, 7, 0x8, promise(ctx));
            w.writeWindowUpdate(ctx, 0, 1_000_000, promise(ctx));
            w.writeWindowUpdate(ctx, 9, 10, promise(ctx));
            w.writePushPromise(ctx, 9, 2, request("/pushed"), 3, promise(ctx));
            w.writeFrame(ctx, (byte) 0x42, 11, new Http2Flags((short) 0x5), text("opaque"), promise(ctx));
            w.writeGoAway(ctx, 9, 0xb, text("enhance your calm"), promise(ctx));
        });
    }

    @Test
    void dataIsSplitAtTheFrameSizeAndPaddedAsAsked() {
        sameBytes((w, ctx) -> {
            w.writeData(ctx, 1, Unpooled.EMPTY_BUFFER, 0, true, promise(ctx));
            w.writeData(ctx, 3, bytes(40_000), 0, false, promise(ctx));
            w.writeData(ctx, 3, bytes(16_384), 256, false, promise(ctx));
            w.writeData(ctx, 3, bytes(100), 1, false, promise(ctx));
            w.writeData(ctx, 3, bytes(16_000), 256, false, promise(ctx));
            w.writeData(ctx, 3, Unpooled.EMPTY_BUFFER, 300 - 44, true, promise(ctx));
        });
    }

    @Test
    void aLargeHeaderBlockGoesOnInContinuationFrames() {
        sameBytes((w, ctx) -> {
            Http2Headers big = response("200").add("x-big", "v".repeat(40_000)).add("cookie", "a=1");
            w.writeHeaders(ctx, 1, big, 0, false, promise(ctx));
            w.writeHeaders(ctx, 3, big, 5, (short) 1, false, 9, true, promise(ctx));
            w.writePushPromise(ctx, 3, 4, big, 0, promise(ctx));
            w.writeHeaders(ctx, 5, response("200").add("cookie", "a=1"), 0, true, promise(ctx));
        });
    }

    @Test
    void aPeersTableSizeGoesOutWithTheNextHeaderBlock() {
        sameBytes((w, ctx) -> {
            w.writeHeaders(ctx, 1, response("200"), 0, false, promise(ctx));
            try {
                w.configuration().headersConfiguration().maxHeaderTableSize(100);
            } catch (Http2Exception e) {
                throw new AssertionError(e);
            }
            w.writeHeaders(ctx, 3, response("200"), 0, false, promise(ctx));
            w.writeHeaders(ctx, 5, response("404"), 0, true, promise(ctx));
        });
    }

    @Test
    void aPeersLargerFrameSizeIsUsed() {
        sameBytes((w, ctx) -> {
            try {
                w.configuration().frameSizePolicy().maxFrameSize(65_536);
            } catch (Http2Exception e) {
                throw new AssertionError(e);
            }
            w.writeData(ctx, 1, bytes(100_000), 0, true, promise(ctx));
            w.writeHeaders(ctx, 3, response("200").add("x-big", "w".repeat(50_000)), 0, true, promise(ctx));
        });
    }

    @Test
    void paddingOverTheLimitIsRefusedWithNothingWritten() {
        Setup s = new Setup();
        ChannelFuture headers = s.writer.writeHeaders(s.ctx, 1, response("200"), 257, false, s.ctx.newPromise());
        ByteBuf data = bytes(10);
        ChannelFuture body = s.writer.writeData(s.ctx, 1, data, 257, true, s.ctx.newPromise());
        assertThat(headers.cause()).isInstanceOf(IllegalArgumentException.class);
        assertThat(body.cause()).isInstanceOf(IllegalArgumentException.class);
        assertThat(data.refCnt()).isZero();
        s.channel.flush();
        assertThat((Object) s.channel.readOutbound()).isNull();
        s.channel.finishAndReleaseAll();
    }

    @Test
    void framesCompleteWhenTheWriteCarryingThemDoes() {
        Setup s = new Setup();
        ChannelPromise headers = s.ctx.newPromise();
        ChannelPromise data = s.ctx.newPromise();
        s.writer.writeHeaders(s.ctx, 1, response("200"), 0, false, headers);
        s.writer.writeData(s.ctx, 1, text("body"), 0, true, data);
        assertThat(s.writes).isEmpty();
        assertThat(headers.isDone()).isFalse();
        assertThat(data.isDone()).isFalse();

        s.channel.flush();

        assertThat(s.writes).hasSize(1); // both frames, one write
        assertThat(headers.isSuccess()).isTrue();
        assertThat(data.isSuccess()).isTrue();
        s.channel.finishAndReleaseAll();
    }

    @Test
    void heldBytesGoOnBeforeTheFlushOncePastTheBound() {
        Setup s = new Setup();
        for (int i = 0; i < 4; i++) {
            s.writer.writeData(s.ctx, 1, bytes(5_000), 0, false, s.ctx.voidPromise());
        }
        assertThat(s.writes).hasSize(1); // 20,036 bytes held went on at the fourth frame
        assertThat(s.writes.get(0)).isEqualTo(4 * (9 + 5_000));
        s.channel.finishAndReleaseAll();
    }

    @Test
    void aLargePayloadGoesOnAsItsOwnWriteAfterWhatIsHeld() {
        Setup s = new Setup();
        ChannelPromise promise = s.ctx.newPromise();
        s.writer.writeHeaders(s.ctx, 1, response("200"), 0, false, s.ctx.voidPromise());
        s.writer.writeData(s.ctx, 1, bytes(12_000), 0, true, promise);
        assertThat(s.writes).hasSize(2); // the HEADERS frame and DATA frame header, then the payload's slice
        assertThat(s.writes.get(1)).isEqualTo(12_000);
        assertThat(promise.isDone()).isFalse();
        s.channel.flush();
        assertThat(promise.isSuccess()).isTrue();
        s.channel.finishAndReleaseAll();
    }

    @Test
    void aHeaderListOverThePeersLimitFailsItsFrameAndWritesNothing() throws Http2Exception {
        Setup s = new Setup();
        s.writer.configuration().headersConfiguration().maxHeaderListSize(100);
        s.writer.writePing(s.ctx, false, 1, s.ctx.voidPromise());
        ChannelFuture refused = s.writer.writeHeaders(s.ctx, 1,
                response("200").add("x-long", "z".repeat(200)), 0, true, s.ctx.newPromise());
        assertThat(refused.cause()).isInstanceOf(Http2Exception.class);
        s.channel.flush();
        ByteBuf out = s.channel.readOutbound();
        assertThat(out.readableBytes()).isEqualTo(17); // the PING alone
        out.release();
        s.channel.finishAndReleaseAll();
    }

    @Test
    void framesLeftHeldWhenTheChannelGoesAreReleasedAndFailed() {
        Setup s = new Setup();
        ByteBuf data = bytes(100);
        ChannelPromise promise = s.ctx.newPromise();
        s.writer.writeData(s.ctx, 1, data, 0, true, promise);
        s.channel.pipeline().remove(FrameOutput.class);
        assertThat(data.refCnt()).isZero();
        assertThat(promise.isDone()).isTrue();
        assertThat(promise.isSuccess()).isFalse();
        s.channel.finishAndReleaseAll();
    }

    @Test
    void framesWrittenOnceTheChannelWentAreDroppedAndFailed() {
        Setup s = new Setup();
        s.channel.pipeline().remove(FrameOutput.class);
        ChannelPromise ping = s.ctx.newPromise();
        s.writer.writePing(s.ctx, true, 1, ping);
        ByteBuf data = bytes(100);
        ChannelPromise dataPromise = s.ctx.newPromise();
        s.writer.writeData(s.ctx, 1, data, 0, true, dataPromise);
        assertThat(ping.cause()).isInstanceOf(java.nio.channels.ClosedChannelException.class);
        assertThat(dataPromise.isSuccess()).isFalse();
        assertThat(data.refCnt()).isZero();
        s.channel.finishAndReleaseAll();
    }

    /** Runs the same calls through Netty's writer and Bascule's, each on a channel of its own, and compares. */
    private static void sameBytes(BiConsumer<Http2FrameWriter, ChannelHandlerContext> calls) {
        try (WriterPair pair = new WriterPair(SENSITIVE_COOKIES)) {
            pair.both(calls);
            pair.flush();
            assertThat(pair.nettyWrote()).isTrue();
            assertThat(pair.difference()).isNull();
        }
    }

    private static ChannelPromise promise(ChannelHandlerContext ctx) {
        return ctx.newPromise();
    }

    private static Http2Headers response(String status) {
        return new DefaultHttp2Headers().status(status).add("content-type", "text/plain").add("server", "origin");
    }

    private static Http2Headers request(String path) {
        return new DefaultHttp2Headers().method("GET").scheme("https").authority("a.test").path(path);
    }

    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    private static ByteBuf bytes(int n) {
        ByteBuf b = Unpooled.buffer(n);
        for (int i = 0; i < n; i++) {
            b.writeByte(i * 31 + 7);
        }
        return b;
    }

    /** A channel with Bascule's output, a counter of the writes that leave it, and the context frames are written on. */
    private static final class Setup {
        final EmbeddedChannel channel = new EmbeddedChannel();
        final List<Integer> writes = new ArrayList<>();
        final ChannelHandlerContext ctx;
        final FrameWriter writer;

        Setup() {
            FrameOutput output = new FrameOutput();
            Capture capture = new Capture();
            channel.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
                @Override
                public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                    writes.add(((ByteBuf) msg).readableBytes());
                    ctx.write(msg, promise);
                }
            });
            channel.pipeline().addLast(output, capture);
            ctx = capture.ctx;
            writer = new FrameWriter(output, SENSITIVE_COOKIES);
        }
    }

    /** Keeps its context, on which a frame writer writes as the HTTP/2 connection handler would. */
    private static final class Capture extends ChannelDuplexHandler {
        ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }
    }
}
