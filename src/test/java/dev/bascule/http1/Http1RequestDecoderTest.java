package dev.bascule.http1;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.testing.LeakGuard;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The messages {@link Http1RequestDecoder} hands on, read whole and a byte at a time. */
@ExtendWith(LeakGuard.class)
class Http1RequestDecoderTest {
    private final List<Object> kept = new ArrayList<>();

    @AfterEach
    void release() {
        kept.forEach(io.netty.util.ReferenceCountUtil::release);
    }

    private List<Object> decode(String input, boolean byteByByte) {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoding(RequestDecoderDifferential.TINY.clone()
                .setMaxInitialLineLength(40).setMaxHeaderSize(80).setMaxChunkSize(64)));
        byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
        if (byteByByte) {
            for (byte b : bytes) {
                ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
            }
        } else {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes));
        }
        ch.finish();
        List<Object> out = new ArrayList<>();
        for (Object m; (m = ch.readInbound()) != null; ) {
            out.add(m);
        }
        kept.addAll(out);
        return out;
    }

    @Test
    void aHeadIsHandedOnWithItsFieldsAsReceivedBytes() {
        for (boolean byteByByte : new boolean[] {false, true}) {
            List<Object> out = decode("\r\nGET /a?b HTTP/1.1\r\nHost: x\r\nX-Odd_Name:  v w \t\r\n\r\n", byteByByte);
            assertThat(out).hasSize(2);
            HttpRequest r = (HttpRequest) out.get(0);
            assertThat(r.method()).isSameAs(HttpMethod.GET);
            assertThat(r.protocolVersion()).isSameAs(HttpVersion.HTTP_1_1);
            assertThat(r.uri()).isEqualTo("/a?b");
            assertThat(r.headers()).isInstanceOf(Http1Headers.class);
            assertThat(r.headers().get("host")).isEqualTo("x");
            assertThat(r.headers().get("x-odd_name")).isEqualTo("v w");
            assertThat(out.get(1)).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
            ByteBuf written = Unpooled.buffer();
            FieldText.writeFields(r.headers(), written);
            assertThat(written.toString(StandardCharsets.ISO_8859_1)).isEqualTo("Host: x\r\nX-Odd_Name:  v w\r\n");
            written.release();
        }
    }

    /**
     * Decoders on one thread share a spare set of working arrays between heads: two connections whose heads arrive
     * in pieces, interleaved, each keep their own while reading, and neither sees the other's fields.
     */
    @Test
    void interleavedHeadsOnOneThreadKeepTheirOwnFields() {
        EmbeddedChannel a = new EmbeddedChannel(new RequestDecoding(RequestDecoderDifferential.TINY.clone()));
        EmbeddedChannel b = new EmbeddedChannel(new RequestDecoding(RequestDecoderDifferential.TINY.clone()));
        String[] headA = {"GET /a HTTP/1.1\r\nHo", "st: a.test\r\nX-A: 1\r\n", "X-Long-Name: ", "aaaa\r\n\r\n"};
        String[] headB = {"POST /b HTTP/1.1\r\n", "Host: b.test\r\nContent-Length: 2\r\nX-", "B: 2\r\n\r\nok"};
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < Math.max(headA.length, headB.length); i++) {
                if (i < headA.length) {
                    a.writeInbound(Unpooled.copiedBuffer(headA[i], StandardCharsets.ISO_8859_1));
                }
                if (i < headB.length) {
                    b.writeInbound(Unpooled.copiedBuffer(headB[i], StandardCharsets.ISO_8859_1));
                }
            }
            HttpRequest ra = a.readInbound();
            HttpRequest rb = b.readInbound();
            assertThat(ra.uri()).isEqualTo("/a");
            assertThat(ra.headers().names()).containsExactly("Host", "X-A", "X-Long-Name");
            assertThat(ra.headers().get("x-long-name")).isEqualTo("aaaa");
            assertThat(rb.uri()).isEqualTo("/b");
            assertThat(rb.headers().names()).containsExactly("Host", "Content-Length", "X-B");
            assertThat(rb.headers().get("host")).isEqualTo("b.test");
            for (Object m; (m = a.readInbound()) != null; ) {
                kept.add(m);
            }
            for (Object m; (m = b.readInbound()) != null; ) {
                kept.add(m);
            }
        }
        assertThat(a.finishAndReleaseAll()).isFalse();
        assertThat(b.finishAndReleaseAll()).isFalse();
    }

    @Test
    void versionsAboveOnePointOneAreReadAsOnePointOne() {
        assertThat(((HttpRequest) decode("GET / HTTP/1.7\r\n\r\n", false).get(0)).protocolVersion())
                .isSameAs(HttpVersion.HTTP_1_1);
        HttpVersion two = ((HttpRequest) decode("GET / HTTP/2.0\r\n\r\n", false).get(0)).protocolVersion();
        assertThat(two.majorVersion()).isEqualTo(2);
    }

    @Test
    void bodiesArriveAsSlicesAndTrailersWithoutFramingFields() {
        for (boolean byteByByte : new boolean[] {false, true}) {
            List<Object> out = decode("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3;a=\"q\"\r\nabc\r\n0\r\nX-T: 1\r\nContent-Length: 5\r\n\r\n", byteByByte);
            StringBuilder body = new StringBuilder();
            for (Object m : out) {
                assertThat(((HttpObject) m).decoderResult().isSuccess()).isTrue();
                if (m instanceof HttpContent c) {
                    body.append(c.content().toString(StandardCharsets.ISO_8859_1));
                }
            }
            assertThat(body).hasToString("abc");
            LastHttpContent last = (LastHttpContent) out.get(out.size() - 1);
            assertThat(last.trailingHeaders().names()).containsExactly("X-T");
        }
    }

    @Test
    void sizesAreRefusedWithTheExceptionsTheFrontendMapsTo414And431() {
        Throwable line = ((HttpObject) decode("GET /" + "a".repeat(60) + " HTTP/1.1\r\n\r\n", false).get(0))
                .decoderResult().cause();
        assertThat(line).isInstanceOf(TooLongHttpLineException.class);
        Throwable head = ((HttpObject) decode("GET / HTTP/1.1\r\nA: " + "b".repeat(90) + "\r\n\r\n", true).get(0))
                .decoderResult().cause();
        assertThat(head).isInstanceOf(TooLongHttpHeaderException.class);
        List<Object> chunk = decode("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;" + "x".repeat(50), false);
        assertThat(((HttpObject) chunk.get(1)).decoderResult().cause()).isInstanceOf(TooLongHttpLineException.class);
    }

    @Test
    void aRefusalEndsTheStreamAndAHeadCutShortIsReported() {
        List<Object> out = decode("GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nGET / HTTP/1.1\r\n\r\n",
                false);
        assertThat(out).hasSize(1);
        assertThat(((HttpObject) out.get(0)).decoderResult().cause()).hasMessage("more than one Content-Length");
        List<Object> cut = decode("GET / HTTP/1.1\r\nHost: a\r\n", true);
        assertThat(((HttpObject) cut.get(0)).decoderResult().cause())
                .isInstanceOf(PrematureChannelClosureException.class);
    }
}
