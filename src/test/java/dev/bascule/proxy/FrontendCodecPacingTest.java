package dev.bascule.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.control.UnderscoreHeaders;
import dev.bascule.testing.LeakGuard;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The codec's pacing with auto-read off, as the frontend runs it: one decoded message per {@code read()}, the
 * socket read only when nothing decoded waits, a read-complete once every read asked for got its message, and
 * nothing left unreleased whatever is still queued when the connection ends or the codec leaves.
 */
@ExtendWith(LeakGuard.class)
class FrontendCodecPacingTest {
    private static final String GET_A = "GET /a HTTP/1.1\r\nHost: a\r\n\r\n";
    private static final String GET_B = "GET /b HTTP/1.1\r\nHost: a\r\n\r\n";

    private final Socket socket = new Socket();
    private final Recorder next = new Recorder();

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel(socket,
                new FrontendCodec(RequestProbe.DECODER, 8, UnderscoreHeaders.ALLOW), next);
        ch.config().setAutoRead(false); // as FrontendServer's child channels
        socket.reads = 0; // the read the channel's activation asked for, with auto-read still on
        return ch;
    }

    @Test
    void twoPipelinedRequestsReadTogetherAreHandedOnOnePerRead() {
        EmbeddedChannel ch = channel();
        ch.read();
        assertThat(socket.reads).as("nothing decoded yet: the socket is read").isEqualTo(1);
        ch.writeInbound(bytes(GET_A + GET_B));
        assertThat(next.seen).containsExactly("GET /a");
        assertThat(next.completes).as("the read asked for was answered").isEqualTo(1);

        ch.read();
        assertThat(next.seen).containsExactly("GET /a", "last");
        ch.read();
        assertThat(next.seen).as("the second request only at the next read").containsExactly("GET /a", "last", "GET /b");
        ch.read();
        assertThat(next.seen).containsExactly("GET /a", "last", "GET /b", "last");
        assertThat(socket.reads).as("no socket read while decoded messages waited").isEqualTo(1);
        ch.read();
        assertThat(socket.reads).as("the queue is empty: now the socket").isEqualTo(2);
        assertThat(next.completes).isEqualTo(4);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aReadThatDecodesNothingEndsWithAReadCompleteAndNoMessage() {
        EmbeddedChannel ch = channel();
        ch.read();
        ch.writeInbound(bytes("GET /a HTTP/1.1\r\nHo"));
        assertThat(next.seen).isEmpty();
        assertThat(next.completes).as("the next handler learns the read is over, and asks again").isEqualTo(1);
        ch.read();
        assertThat(socket.reads).isEqualTo(2);
        ch.writeInbound(bytes("st: a\r\n\r\n"));
        assertThat(next.seen).containsExactly("GET /a");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aBodyIsHandedOnOnlyAsFastAsItIsAskedFor() {
        EmbeddedChannel ch = channel();
        ch.read();
        ch.writeInbound(bytes("POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n01234"));
        assertThat(next.seen).containsExactly("POST /u");
        ch.read();
        assertThat(next.seen).containsExactly("POST /u", "content 01234");
        ch.read();
        assertThat(socket.reads).as("the body's rest is read from the socket only when asked for").isEqualTo(2);
        ch.writeInbound(bytes("56789"));
        assertThat(next.seen).containsExactly("POST /u", "content 01234", "last 56789");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aRequestReadWholeKeepsTheSocketReadAheadUntilSomethingWaits() {
        EmbeddedChannel ch = channel();
        ch.read();
        ch.writeInbound(bytes(GET_A));
        ch.read();
        assertThat(next.seen).containsExactly("GET /a", "last");
        ch.writeInbound(Unpooled.EMPTY_BUFFER); // the end of the socket read that carried it
        assertThat(socket.reads).as("read ahead while the response is made, though nothing asked").isEqualTo(2);

        ch.writeInbound(bytes(GET_B));
        assertThat(next.seen).as("what came ahead waits for its read").containsExactly("GET /a", "last");
        assertThat(socket.reads).as("no further read while a request waits").isEqualTo(2);
        ch.read();
        assertThat(next.seen).containsExactly("GET /a", "last", "GET /b");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aBodyHeldBackIsNotReadAhead() {
        EmbeddedChannel ch = channel();
        ch.read();
        ch.writeInbound(bytes("POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n01234"));
        ch.read();
        assertThat(next.seen).containsExactly("POST /u", "content 01234");
        ch.writeInbound(Unpooled.EMPTY_BUFFER);
        assertThat(socket.reads).as("the origin is not ready for more: the client's rest stays in its socket")
                .isEqualTo(1);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aHandlerThatReadsOnEveryReadCompleteGetsADeepPipelineWithoutRecursion() {
        next.readOnComplete = true; // as HttpsRedirectHandler does
        EmbeddedChannel ch = new EmbeddedChannel(socket,
                new FrontendCodec(RequestProbe.DECODER, 200, UnderscoreHeaders.ALLOW), next);
        ch.config().setAutoRead(false);
        ch.read();
        ch.writeInbound(bytes(GET_A.repeat(150)));
        assertThat(next.seen).hasSize(300);
        assertThat(next.deepest - next.shallowest).as("stack frames between the first message and the deepest")
                .isLessThan(40);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void messagesStillQueuedWhenTheConnectionEndsAreReleased() {
        EmbeddedChannel ch = channel();
        ch.read();
        ch.writeInbound(bytes("POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc" + GET_A + GET_B
                + "POST /v HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n"));
        assertThat(next.seen).containsExactly("POST /u");
        assertThat(ch.finishAndReleaseAll()).as("queued bodies and heads released by the codec").isFalse();
    }

    @Test
    void queuedMessagesAreReleasedAndBytesHandedOnWhenTheCodecLeaves() {
        EmbeddedChannel ch = channel();
        ch.read();
        ch.writeInbound(bytes("GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Content-Length: 2\r\n\r\nhi\u0081\u0002yo"));
        assertThat(next.seen).containsExactly("GET /chat");
        ch.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS));
        ((ByteBuf) ch.readOutbound()).release();
        ch.pipeline().remove(FrontendCodec.class); // the body piece still queued goes with it
        assertThat(next.raw).containsExactly("\u0081\u0002yo");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    /** Stands for the socket: counts the reads that reach it. */
    private static final class Socket extends ChannelOutboundHandlerAdapter {
        int reads;

        @Override
        public void read(ChannelHandlerContext ctx) {
            reads++;
            ctx.read();
        }
    }

    /** The handler after the codec: notes and releases what it is handed. */
    private static final class Recorder extends ChannelInboundHandlerAdapter {
        final List<String> seen = new ArrayList<>();
        final List<String> raw = new ArrayList<>();
        int completes;
        boolean readOnComplete;
        int deepest;
        int shallowest = Integer.MAX_VALUE;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            int depth = Thread.currentThread().getStackTrace().length;
            deepest = Math.max(deepest, depth);
            shallowest = Math.min(shallowest, depth);
            if (msg instanceof HttpRequest r) {
                seen.add(r.method() + " " + r.uri());
            } else if (msg instanceof LastHttpContent c) {
                String body = c.content().toString(StandardCharsets.ISO_8859_1);
                seen.add(body.isEmpty() ? "last" : "last " + body);
            } else if (msg instanceof HttpContent c) {
                seen.add("content " + c.content().toString(StandardCharsets.ISO_8859_1));
            } else if (msg instanceof ByteBuf b) {
                raw.add(b.toString(StandardCharsets.ISO_8859_1));
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            completes++;
            if (readOnComplete) {
                ctx.read();
            }
        }
    }
}
