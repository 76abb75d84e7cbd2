package dev.bascule.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.control.UnderscoreHeaders;
import dev.bascule.testing.LeakGuard;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
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

/** What the frontend's codec hands on for one read: request heads as settled before routing, and their bodies. */
@ExtendWith(LeakGuard.class)
class FrontendCodecTest {
    private static final String CHUNKED_HEAD =
            "POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";

    @Test
    void aBadChunkReadWithItsHeadFailsTheHeadItselfAndNothingFollows() {
        EmbeddedChannel ch = channel(UnderscoreHeaders.ALLOW);
        ch.writeInbound(bytes(CHUNKED_HEAD + "5\r\nhello\r\nzz\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n"));
        HttpRequest head = ch.readInbound();
        assertThat(head.decoderResult().isFailure()).isTrue();
        assertThat(head.decoderResult().cause()).isInstanceOf(FrontendCodec.MalformedRequestException.class)
                .hasMessageStartingWith("malformed body");
        assertThat(RequestValidator.check(head, 8192, 100).code()).isEqualTo(400);
        assertThat((Object) ch.readInbound()).as("the good chunk before the bad one is not handed on").isNull();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aGoodBodyReadWithItsHeadComesWholeAndInOrder() {
        EmbeddedChannel ch = channel(UnderscoreHeaders.ALLOW);
        ch.writeInbound(bytes(CHUNKED_HEAD + "5\r\nhello\r\n0\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n"));
        List<Object> got = drain(ch);
        try {
            assertThat(got).hasSize(5);
            assertThat(((HttpRequest) got.get(0)).decoderResult().isSuccess()).isTrue();
            assertThat(((HttpContent) got.get(1)).content().toString(StandardCharsets.US_ASCII)).isEqualTo("hello");
            assertThat(got.get(2)).isInstanceOf(LastHttpContent.class);
            assertThat(((HttpRequest) got.get(3)).uri()).isEqualTo("/next");
        } finally {
            got.forEach(ReferenceCountUtil::release);
        }
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aBodyStillOnTheWireLeavesTheHeadAsItIs() {
        EmbeddedChannel ch = channel(UnderscoreHeaders.ALLOW);
        ch.writeInbound(bytes(CHUNKED_HEAD + "5\r\nhel"));
        HttpRequest head = ch.readInbound();
        assertThat(head.decoderResult().isSuccess()).isTrue();
        HttpContent part = ch.readInbound();
        part.release();
        // A fault that arrives in a later read can no longer fail the head; it fails the body (and the exchange).
        ch.writeInbound(bytes("lo\r\nzz\r\n"));
        List<Object> got = drain(ch);
        try {
            assertThat(got).isNotEmpty();
            assertThat(((HttpContent) got.get(got.size() - 1)).decoderResult().isFailure()).isTrue();
        } finally {
            got.forEach(ReferenceCountUtil::release);
        }
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void httpOneTwoAndUpAreReadAsOneOne() {
        EmbeddedChannel ch = channel(UnderscoreHeaders.ALLOW);
        ch.writeInbound(bytes("GET /a HTTP/1.2\r\nHost: a\r\n\r\nGET /b HTTP/1.9\r\nHost: a\r\n\r\n"
                + "GET /c HTTP/1.0\r\n\r\nGET /d HTTP/2.0\r\nHost: a\r\n\r\n"));
        List<Object> got = drain(ch);
        assertThat(got).filteredOn(HttpRequest.class::isInstance).extracting(m -> ((HttpRequest) m).protocolVersion())
                .containsExactly(HttpVersion.HTTP_1_1, HttpVersion.HTTP_1_1, HttpVersion.HTTP_1_0,
                        HttpVersion.valueOf("HTTP/2.0"));
        HttpRequest d = (HttpRequest) got.get(6);
        assertThat(RequestValidator.check(d, 8192, 100).code()).isEqualTo(505);
        got.forEach(ReferenceCountUtil::release);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void tabsAroundFramingValuesAreTrimmedLikeSpaces() {
        EmbeddedChannel ch = channel(UnderscoreHeaders.ALLOW);
        ch.writeInbound(bytes("POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\tchunked\t\r\n\r\n0\r\n\r\n"
                + "POST /v HTTP/1.1\r\nHost: a\r\nContent-Length:\t2\t\r\n\r\nab"));
        List<Object> got = drain(ch);
        try {
            HttpRequest u = (HttpRequest) got.get(0);
            assertThat(RequestValidator.check(u, 8192, 100)).isNull();
            assertThat(u.headers().get("transfer-encoding")).isEqualTo("chunked");
            HttpRequest v = (HttpRequest) got.get(2);
            assertThat(RequestValidator.check(v, 8192, 100)).isNull();
            assertThat(v.headers().get("content-length")).isEqualTo("2");
        } finally {
            got.forEach(ReferenceCountUtil::release);
        }
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void lookAlikeNamesAreDroppedAndUnderscoresFollowThePolicy() {
        String head = "GET / HTTP/1.1\r\nHost: a\r\nTransfer_Encoding: chunked\r\nContent--Length: 9\r\n"
                + "X_Forwarded_For: 6.6.6.6\r\nX_Custom: 1\r\nX--Double: 2\r\nX-Plain: 3\r\n\r\n";

        EmbeddedChannel allow = channel(UnderscoreHeaders.ALLOW);
        allow.writeInbound(bytes(head));
        HttpRequest r = allow.readInbound();
        assertThat(r.decoderResult().isSuccess()).isTrue();
        assertThat(r.headers().names()).containsExactlyInAnyOrder("Host", "X_Custom", "X--Double", "X-Plain");
        assertThat(allow.finishAndReleaseAll()).isTrue(); // the empty LastHttpContent

        EmbeddedChannel drop = channel(UnderscoreHeaders.DROP);
        drop.writeInbound(bytes(head));
        r = drop.readInbound();
        assertThat(r.headers().names()).containsExactlyInAnyOrder("Host", "X--Double", "X-Plain");
        drop.finishAndReleaseAll();

        EmbeddedChannel reject = channel(UnderscoreHeaders.REJECT);
        reject.writeInbound(bytes(head + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n"));
        r = reject.readInbound();
        assertThat(r.decoderResult().cause()).hasMessage("header name with an underscore");
        assertThat(RequestValidator.check(r, 8192, 100).code()).isEqualTo(400);
        assertThat((Object) reject.readInbound()).as("nothing after a refused head").isNull();
        assertThat(reject.finishAndReleaseAll()).isFalse();

        // Under reject, look-alikes alone are still only dropped.
        EmbeddedChannel lookAlikes = channel(UnderscoreHeaders.REJECT);
        lookAlikes.writeInbound(bytes("GET / HTTP/1.1\r\nHost: a\r\nTransfer_Encoding: chunked\r\n\r\n"));
        r = lookAlikes.readInbound();
        assertThat(r.decoderResult().isSuccess()).isTrue();
        assertThat(r.headers().names()).containsExactly("Host");
        lookAlikes.finishAndReleaseAll();
    }

    private static final String HANDSHAKE = "GET /chat HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\n"
            + "Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    @Test
    void decodingWaitsAfterAnUpgradeRequestUntilItIsAnsweredWithoutASwitch() {
        EmbeddedChannel ch = channel(UnderscoreHeaders.ALLOW);
        ch.writeInbound(bytes(HANDSHAKE + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n"));
        List<Object> got = drain(ch);
        assertThat(got).hasSize(2);
        assertThat(((HttpRequest) got.get(0)).uri()).isEqualTo("/chat");
        assertThat(got.get(1)).isInstanceOf(LastHttpContent.class);
        ch.read();
        assertThat((Object) ch.readInbound()).as("not before the handshake is answered").isNull();

        ch.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        ((ByteBuf) ch.readOutbound()).release();
        ch.read(); // the frontend's next read
        got = drain(ch);
        assertThat(got).hasSize(2);
        assertThat(((HttpRequest) got.get(0)).uri()).isEqualTo("/next");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void bytesPastAnUpgradeRequestGoToTheHandlerThatReplacesTheCodec() {
        EmbeddedChannel ch = channel(UnderscoreHeaders.ALLOW);
        ch.writeInbound(bytes(HANDSHAKE + "\u0081\u0002hi"));
        assertThat(drain(ch)).hasSize(2);
        ch.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS));
        ((ByteBuf) ch.readOutbound()).release();
        ch.read();
        assertThat((Object) ch.readInbound()).as("a 101 does not end the wait").isNull();

        ch.pipeline().replace(FrontendCodec.class, "tunnel", new ChannelInboundHandlerAdapter());
        ByteBuf frame = ch.readInbound();
        assertThat(frame.toString(StandardCharsets.ISO_8859_1)).isEqualTo("\u0081\u0002hi");
        frame.release();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    /** HEAD requests are remembered a bit each, in order, also past the 128 kept without an array. */
    @Test
    void eachResponseToAPipelinedHeadRequestHasNoBodyHoweverDeepThePipeline() {
        int depth = 200;
        EmbeddedChannel ch = new EmbeddedChannel(new FrontendCodec(RequestProbe.DECODER, depth, UnderscoreHeaders.ALLOW));
        StringBuilder requests = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            requests.append(i % 3 == 0 || i > 170 && i % 2 == 0 ? "HEAD" : "GET").append(" /").append(i)
                    .append(" HTTP/1.1\r\nHost: a\r\n\r\n");
        }
        ch.writeInbound(bytes(requests.toString()));
        List<Object> got = drain(ch);
        got.forEach(io.netty.util.ReferenceCountUtil::release);
        assertThat(got).hasSize(2 * depth);
        for (int i = 0; i < depth; i++) {
            boolean head = i % 3 == 0 || i > 170 && i % 2 == 0;
            DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    bytes("abc"));
            r.headers().set("content-length", 3);
            ch.writeOutbound(r);
            StringBuilder out = new StringBuilder();
            for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
                out.append(b.toString(StandardCharsets.ISO_8859_1));
                b.release();
            }
            assertThat(out.toString()).as("response %d", i).endsWith(head ? "content-length: 3\r\n\r\n" : "\r\n\r\nabc");
        }
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    private static EmbeddedChannel channel(UnderscoreHeaders policy) {
        return new EmbeddedChannel(new FrontendCodec(RequestProbe.DECODER, 8, policy));
    }

    private static io.netty.buffer.ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    private static List<Object> drain(EmbeddedChannel ch) {
        List<Object> got = new ArrayList<>();
        Object m;
        while ((m = ch.readInbound()) != null) {
            got.add(m);
        }
        return got;
    }
}
