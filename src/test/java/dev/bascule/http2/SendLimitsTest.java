package dev.bascule.http2;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import io.netty.handler.codec.http2.Http2LifecycleManager;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SendLimitsTest {
    private final EmbeddedChannel channel = new EmbeddedChannel();
    /** Writes that reached the socket's side and were not completed: a peer that does not read. */
    private final List<ChannelPromise> unwritten = new ArrayList<>();
    private final List<Throwable> errors = new ArrayList<>();
    private final MockTicker ticker = Ticker.newMockTicker();
    private ChannelHandlerContext ctx;
    private SendLimits limits;

    private void start(int maxQueuedControlFrames, int maxErrorResets) {
        channel.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                ReferenceCountUtil.release(msg);
                unwritten.add(promise);
            }
        });
        FrameOutput output = new FrameOutput();
        channel.pipeline().addLast(output, new ChannelDuplexHandler() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                SendLimitsTest.this.ctx = ctx;
            }
        });
        FrameWriter writer = new FrameWriter(output, Http2HeadersEncoder.NEVER_SENSITIVE);
        limits = new SendLimits(new DefaultHttp2ConnectionEncoder(new DefaultHttp2Connection(true), writer),
                maxQueuedControlFrames, maxErrorResets, 10, ticker);
        limits.lifecycleManager(new Lifecycle(writer));
    }

    @Test
    void controlAnswersQueuedPastTheBoundEndTheConnection() {
        start(3, 100);
        for (int i = 0; i < 3; i++) {
            limits.writePing(ctx, true, i, ctx.newPromise());
        }
        assertThat(errors).isEmpty();
        assertThat(channel.isOpen()).isTrue();

        limits.writePing(ctx, true, 3, ctx.newPromise()); // flushed, but the peer reads none of them

        assertThat(errors).singleElement().satisfies(e -> assertThat(Http2Exception.class.cast(e).error())
                .isEqualTo(Http2Error.ENHANCE_YOUR_CALM));
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void answersThatAreWrittenMakeRoomAndPingsOfOurOwnAreNotCounted() {
        start(3, 100);
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 3; i++) {
                limits.writeSettingsAck(ctx, ctx.newPromise());
                limits.writePing(ctx, false, i, ctx.newPromise());
            }
            channel.flush();
            unwritten.forEach(ChannelPromise::setSuccess); // the peer read them
            unwritten.clear();
        }
        assertThat(errors).isEmpty();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void resetsWithAnErrorPastTheBoundInAWindowEndTheConnection() {
        start(1000, 3);
        for (int stream = 1; stream <= 7; stream += 2) {
            limits.writeRstStream(ctx, stream, Http2Error.CANCEL.code(), ctx.newPromise()); // not counted
        }
        for (int stream = 9; stream <= 13; stream += 2) {
            limits.writeRstStream(ctx, stream, Http2Error.REFUSED_STREAM.code(), ctx.newPromise());
        }
        ticker.advance(10, TimeUnit.SECONDS); // a new window
        for (int stream = 15; stream <= 19; stream += 2) {
            limits.writeRstStream(ctx, stream, Http2Error.PROTOCOL_ERROR.code(), ctx.newPromise());
        }
        assertThat(errors).isEmpty();

        limits.writeRstStream(ctx, 21, Http2Error.PROTOCOL_ERROR.code(), ctx.newPromise());

        assertThat(errors).singleElement().satisfies(e -> assertThat(Http2Exception.class.cast(e).error())
                .isEqualTo(Http2Error.ENHANCE_YOUR_CALM));
        assertThat(channel.isOpen()).isFalse();
    }

    /** Resets go straight to the frame writer, as the connection handler's do for streams it does not know. */
    private final class Lifecycle implements Http2LifecycleManager {
        private final FrameWriter writer;

        Lifecycle(FrameWriter writer) {
            this.writer = writer;
        }

        @Override
        public void closeStreamLocal(Http2Stream stream, ChannelFuture future) {}

        @Override
        public void closeStreamRemote(Http2Stream stream, ChannelFuture future) {}

        @Override
        public void closeStream(Http2Stream stream, ChannelFuture future) {}

        @Override
        public ChannelFuture resetStream(ChannelHandlerContext ctx, int streamId, long errorCode,
                ChannelPromise promise) {
            return writer.writeRstStream(ctx, streamId, errorCode, promise);
        }

        @Override
        public ChannelFuture goAway(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData,
                ChannelPromise promise) {
            return writer.writeGoAway(ctx, lastStreamId, errorCode, debugData, promise);
        }

        @Override
        public void onError(ChannelHandlerContext ctx, boolean outbound, Throwable cause) {
            errors.add(cause);
        }
    }
}
