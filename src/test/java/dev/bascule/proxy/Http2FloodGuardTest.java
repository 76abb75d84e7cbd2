package dev.bascule.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Http2FloodGuard} on the decoder of a real server frame codec on an embedded channel, with a mock clock: the client's
 * frames go in as bytes, and what the server writes is read back frame by frame.
 */
class Http2FloodGuardTest {
    private static final int SETTINGS = 0x4;
    private static final int PING = 0x6;
    private static final int GOAWAY = 0x7;
    private static final int HEADERS = 0x1;

    private final MockTicker ticker = Ticker.newMockTicker();
    private EmbeddedChannel channel;
    private Http2FloodGuard guard;
    private Http2FrameStream stream;
    /** Types of the frames the server wrote, and the error code of its GOAWAY (-1 while none). */
    private final List<Integer> written = new ArrayList<>();
    private long goAwayError = -1;
    /** What the server wrote and was not parsed yet. */
    private final ByteBuf out = Unpooled.buffer();

    @BeforeEach
    void start() {
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer().build();
        guard = new Http2FloodGuard(ticker);
        guard.watch(codec.decoder());
        channel = new EmbeddedChannel(codec, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof Http2HeadersFrame h) {
                    stream = h.stream(); // a stream the test answers on, as a FrontendStream would
                }
                ReferenceCountUtil.release(msg);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                // The connection error the codec has answered, passed on as FrontendHttp2Connection sees it.
            }
        });
        ByteBuf preface = Unpooled.copiedBuffer("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", StandardCharsets.US_ASCII);
        channel.writeInbound(preface);
        send(SETTINGS, 0, new byte[0]); // the preface's SETTINGS: one of the window's MAX_SETTINGS
    }

    @AfterEach
    void stop() {
        channel.close(); // a GOAWAY, if none was sent yet
        drain();
        out.release();
        assertThat(channel.finishAndReleaseAll()).as("messages left in the channel").isFalse();
    }

    private void send(int type, int stream, byte[] payload) {
        ByteBuf frame = Unpooled.buffer(9 + payload.length);
        frame.writeMedium(payload.length).writeByte(type).writeByte(0).writeInt(stream).writeBytes(payload);
        channel.writeInbound(frame);
    }

    private void ping() {
        send(PING, 0, new byte[8]);
    }

    private void openStream() {
        // HEADERS with END_HEADERS and END_STREAM for GET / on stream 1, HPACK: indexed :method GET, :scheme http,
        // :path /, and :authority as a literal without indexing.
        byte[] block = {(byte) 0x82, (byte) 0x86, (byte) 0x84, 0x01, 1, 'a'};
        ByteBuf frame = Unpooled.buffer();
        frame.writeMedium(block.length).writeByte(HEADERS).writeByte(0x5).writeInt(1).writeBytes(block);
        channel.writeInbound(frame);
        assertThat(stream).isNotNull();
    }

    /** Parses what the server wrote since the last call (a frame may come in several buffers). */
    private void drain() {
        channel.runPendingTasks();
        for (Object o; (o = channel.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            out.writeBytes(b);
            b.release();
        }
        while (out.readableBytes() >= 9 && out.readableBytes() >= 9 + out.getUnsignedMedium(out.readerIndex())) {
            int length = out.readUnsignedMedium();
            int type = out.readUnsignedByte();
            out.skipBytes(5);
            if (type == GOAWAY) {
                goAwayError = out.getUnsignedInt(out.readerIndex() + 4);
            }
            written.add(type);
            out.skipBytes(length);
        }
        out.discardReadBytes();
    }

    private boolean calmedDown() {
        drain();
        return goAwayError == Http2Error.ENHANCE_YOUR_CALM.code();
    }

    @Test
    void settingsUpToTheBoundInEachWindowPass() {
        for (int i = 1; i < Http2FloodGuard.MAX_SETTINGS; i++) {
            send(SETTINGS, 0, new byte[0]);
        }
        assertThat(calmedDown()).isFalse();
        ticker.advance(Http2FloodGuard.WINDOW_SECONDS, TimeUnit.SECONDS);
        for (int i = 0; i < Http2FloodGuard.MAX_SETTINGS; i++) {
            send(SETTINGS, 0, new byte[0]);
        }
        assertThat(calmedDown()).as("a new window, a new count").isFalse();
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void oneSettingsPastTheBoundEndsTheConnection() {
        for (int i = 1; i <= Http2FloodGuard.MAX_SETTINGS; i++) {
            send(SETTINGS, 0, new byte[0]);
        }
        assertThat(calmedDown()).isTrue();
        assertThat(channel.isActive()).as("closed once the GOAWAY is written").isFalse();
    }

    @Test
    void idlePingsPastTheBoundEndTheConnection() {
        // The first ping follows nothing asked of the connection; it is not idle. Then MAX_IDLE_PINGS pass.
        for (int i = 0; i <= Http2FloodGuard.MAX_IDLE_PINGS; i++) {
            ping();
        }
        assertThat(calmedDown()).isFalse();
        assertThat(written).as("each ping acknowledged").filteredOn(t -> t == PING)
                .hasSize(Http2FloodGuard.MAX_IDLE_PINGS + 1);
        ping();
        assertThat(calmedDown()).isTrue();
        assertThat(channel.isActive()).isFalse();
    }

    @Test
    void idlePingsSpreadOverWindowsPass() {
        for (int window = 0; window < 3; window++) {
            for (int i = 0; i < Http2FloodGuard.MAX_IDLE_PINGS; i++) {
                ping();
            }
            ticker.advance(Http2FloodGuard.WINDOW_SECONDS, TimeUnit.SECONDS);
        }
        assertThat(calmedDown()).isFalse();
    }

    @Test
    void dataSentBetweenPingsKeepsThemFromCountingAsIdle() {
        openStream();
        channel.writeOutbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")).stream(stream));
        guard.sent(); // as FrontendStream tells it of each HEADERS and DATA frame it writes
        for (int i = 0; i < 3 * Http2FloodGuard.MAX_IDLE_PINGS; i++) {
            ping();
            // Data reaching the client prompts its next ping (a bandwidth estimate, as gRPC's clients do).
            channel.writeOutbound(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[] {1})).stream(stream));
            guard.sent();
        }
        assertThat(calmedDown()).isFalse();
        assertThat(channel.isActive()).isTrue();
        channel.writeOutbound(new DefaultHttp2DataFrame(true).stream(stream));
    }
}
