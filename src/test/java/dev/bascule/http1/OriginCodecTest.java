package dev.bascule.http1;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.testing.LeakGuard;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link OriginCodec} in a pipeline: what it writes, how it pairs responses with requests, and a 101's hand-off. */
@ExtendWith(LeakGuard.class)
class OriginCodecTest {

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    @Test
    void writesAReceivedHeadsFieldsAsTheirBytes() {
        byte[] head = "X-Mixed-Case:tight\tHost: a.example".getBytes(StandardCharsets.ISO_8859_1);
        Http1Headers headers = new Http1Headers(head, new int[] {0, 12, 13, 18, 19, 23, 25, 34}, 2);
        headers.add("Via", "1.1 bascule");
        EmbeddedChannel ch = new EmbeddedChannel(new OriginCodec(ResponseDifferential.ORIGIN));
        ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/p", Unpooled.EMPTY_BUFFER,
                headers, new Http1Headers()));
        StringBuilder wire = new StringBuilder();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            wire.append(((ByteBuf) o).toString(StandardCharsets.ISO_8859_1));
            ReferenceCountUtil.release(o);
        }
        assertThat(wire.toString()).isEqualTo("GET /p HTTP/1.1\r\nX-Mixed-Case:tight\r\nHost: a.example\r\n"
                + "Via: 1.1 bascule\r\n\r\n");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aResponseToHeadHasNoBodyAndTheNextResponseIsReadAfterIt() {
        EmbeddedChannel ch = new EmbeddedChannel(new OriginCodec(ResponseDifferential.ORIGIN));
        ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.HEAD, "/"));
        ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        ch.releaseOutbound();
        ch.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        HttpResponse first = ch.readInbound();
        assertThat(first.headers().get("content-length")).isEqualTo("5");
        assertThat((Object) ch.readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        HttpResponse second = ch.readInbound();
        assertThat(second.status()).isSameAs(HttpResponseStatus.OK);
        assertThat(second.headers()).isInstanceOf(Http1Headers.class);
        LastHttpContent body = ch.readInbound();
        assertThat(body.content().toString(StandardCharsets.US_ASCII)).isEqualTo("ok");
        body.release();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aSmallBodyIsABufferOfItsOwnAndALargeOneASliceOfWhatWasRead() {
        EmbeddedChannel ch = new EmbeddedChannel(new OriginCodec(ResponseDifferential.ORIGIN));
        ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/small"));
        ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/large"));
        ch.releaseOutbound();
        int large = ResponseDecoder.SMALL_PIECE + 1;
        ByteBuf read = ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                + "HTTP/1.1 200 OK\r\nContent-Length: " + large + "\r\n\r\n" + "x".repeat(large));
        ch.writeInbound(read);
        assertThat((Object) ch.readInbound()).isInstanceOf(HttpResponse.class);
        LastHttpContent small = ch.readInbound();
        assertThat((Object) ch.readInbound()).isInstanceOf(HttpResponse.class);
        LastHttpContent sliced = ch.readInbound();
        try {
            assertThat(small.content().toString(StandardCharsets.US_ASCII)).isEqualTo("ok");
            assertThat(sliced.content().readableBytes()).isEqualTo(large);
            // The read buffer is held by the large body's slice alone: the small body is a copy.
            assertThat(read.refCnt()).isEqualTo(1);
        } finally {
            small.release();
            sliced.release();
        }
        assertThat(read.refCnt()).isZero();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aSmallChunkIsABufferOfItsOwnToo() {
        EmbeddedChannel ch = new EmbeddedChannel(new OriginCodec(ResponseDifferential.ORIGIN));
        ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/chunked"));
        ch.releaseOutbound();
        ByteBuf read = ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
        ch.writeInbound(read);
        assertThat((Object) ch.readInbound()).isInstanceOf(HttpResponse.class);
        HttpContent chunk = ch.readInbound();
        try {
            assertThat(chunk.content().toString(StandardCharsets.US_ASCII)).isEqualTo("ok");
            assertThat(read.refCnt()).as("the read buffer, drained, is not held by the chunk").isZero();
        } finally {
            chunk.release();
        }
        assertThat((Object) ch.readInbound()).isInstanceOf(LastHttpContent.class);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void bytesAfterA101ComeAsTheyAreAndNothingStaysInTheCodecWhenItIsRemoved() {
        EmbeddedChannel ch = new EmbeddedChannel(new OriginCodec(ResponseDifferential.ORIGIN));
        ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/ws"));
        ch.releaseOutbound();
        ch.writeInbound(ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: x\r\n\r\nframe-1"));
        HttpResponse head = ch.readInbound();
        assertThat(head.status().code()).isEqualTo(101);
        assertThat((Object) ch.readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        ByteBuf raw = ch.readInbound();
        assertThat(raw.toString(StandardCharsets.ISO_8859_1)).isEqualTo("frame-1");
        raw.release();
        ch.writeInbound(ascii("HTTP/1.1 200 not parsed"));
        raw = ch.readInbound();
        assertThat(raw).isNotInstanceOf(HttpContent.class);
        assertThat(raw.toString(StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200 not parsed");
        raw.release();
        ch.pipeline().remove(OriginCodec.class);
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aReadThatDecodesNothingWithAutoReadOffAsksForAnotherItself() {
        int[] reads = {0};
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void read(ChannelHandlerContext ctx) {
                reads[0]++;
                ctx.read();
            }
        }, new OriginCodec(ResponseDifferential.ORIGIN));
        ch.config().setAutoRead(false);
        ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        ch.releaseOutbound();
        reads[0] = 0;
        ch.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Le"));
        assertThat(reads[0]).as("a message is owed: the codec reads on").isEqualTo(1);
        ch.writeInbound(ascii("ngth: 2\r\n\r\nok"));
        assertThat(reads[0]).as("a message went on: reading is the handler's to ask").isEqualTo(1);
        ReferenceCountUtil.release(ch.readInbound());
        ReferenceCountUtil.release(ch.readInbound());
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aBodyDelimitedByTheCloseEndsWhenTheConnectionCloses() {
        EmbeddedChannel ch = new EmbeddedChannel(new OriginCodec(ResponseDifferential.ORIGIN));
        ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        ch.releaseOutbound();
        ch.writeInbound(ascii("HTTP/1.0 200 OK\r\n\r\nuntil close"));
        ReferenceCountUtil.release(ch.readInbound());
        HttpContent piece = ch.readInbound();
        assertThat(piece.content().toString(StandardCharsets.US_ASCII)).isEqualTo("until close");
        piece.release();
        ch.close();
        assertThat((Object) ch.readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
