package dev.bascule.http1;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.testing.LeakGuard;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Heads given back to {@link SpareHeads} and read again by the decoders: reused whole, as if new, and only once. */
@ExtendWith(LeakGuard.class)
class SpareHeadsTest {

    @BeforeEach
    void noSpareIsLeftOnThisThread() {
        while (SpareHeads.response() != null) {
            // drained: another test on this thread may have given heads back
        }
        while (SpareHeads.request() != null) {
            // drained
        }
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    /** Decodes one bodyless response to a GET on a fresh codec. */
    private static HttpResponse decode(String response) {
        EmbeddedChannel ch = new EmbeddedChannel(new OriginCodec(ResponseDifferential.ORIGIN));
        ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        ch.releaseOutbound();
        ch.writeInbound(ascii(response));
        HttpResponse head = ch.readInbound();
        assertThat((Object) ch.readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(ch.finishAndReleaseAll()).isFalse();
        return head;
    }

    @Test
    void aResponseGivenBackIsTheNextOneReadAsIfNewWithNothingOfTheOneBefore() {
        HttpResponse first = decode("HTTP/1.1 200 OK\r\nServer: one\r\nX-Gone: a\r\nContent-Length: 0\r\n\r\n");
        assertThat(first.headers().get("server")).isEqualTo("one"); // a value made a String, and cached
        first.headers().remove("x-gone");
        first.headers().add("Via", "1.1 bascule");
        first.headers().add("X-Added", "b");
        SpareHeads.giveBack(first);

        HttpResponse second = decode("HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\nX-Gone: c\r\n\r\n");
        assertThat(second).isSameAs(first);
        assertThat(second.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_0);
        assertThat(second.status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
        assertThat(second.decoderResult().isSuccess()).isTrue();
        assertThat(second.headers().entries()).extracting(e -> e.getKey() + ": " + e.getValue())
                .containsExactly("Content-Length: 0", "X-Gone: c");
        assertThat(second.headers().size()).isEqualTo(2);
        assertThat(second.headers().get("server")).isNull();
        assertThat(second.headers().contains("via")).isFalse();
        ByteBuf wire = Unpooled.buffer();
        ((Http1Headers) second.headers()).encode(wire);
        assertThat(wire.toString(StandardCharsets.ISO_8859_1)).isEqualTo("Content-Length: 0\r\nX-Gone: c\r\n");
        wire.release();
    }

    @Test
    void aHeadGivenBackTwiceIsReusedOnce() {
        HttpResponse first = decode("HTTP/1.1 204 No Content\r\nServer: one\r\n\r\n");
        SpareHeads.giveBack(first);
        SpareHeads.giveBack(first);
        assertThat(decode("HTTP/1.1 204 No Content\r\n\r\n")).isSameAs(first);
        assertThat(decode("HTTP/1.1 204 No Content\r\n\r\n")).isNotSameAs(first);
    }

    @Test
    void headsNoDecoderLentAndHugeHeadsAreNotKept() {
        SpareHeads.giveBack(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, new Http1Headers()));
        assertThat(SpareHeads.response()).isNull();
        HttpResponse huge = decode("HTTP/1.1 204 No Content\r\nX-Big: " + "x".repeat(SpareHeads.LARGEST) + "\r\n\r\n");
        SpareHeads.giveBack(huge);
        assertThat(SpareHeads.response()).isNull();
    }

    @Test
    void aRequestGivenBackIsTheNextOneReadAsIfNew() {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoding(RequestDecoderDifferential.FRONTEND));
        ch.writeInbound(ascii("GET /a HTTP/1.1\r\nHost: a.example\r\nX-One: 1\r\n\r\n"));
        HttpRequest first = ch.readInbound();
        assertThat((Object) ch.readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(first.headers().get("x-one")).isEqualTo("1");
        first.headers().add("Via", "1.1 bascule");
        first.headers().remove("x-one");
        SpareHeads.giveBack(first);

        ch.writeInbound(ascii("POST /b HTTP/1.0\r\nHost: b.example\r\nContent-Length: 2\r\n\r\nok"));
        HttpRequest second = ch.readInbound();
        assertThat(second).isSameAs(first);
        assertThat(second.method()).isEqualTo(HttpMethod.POST);
        assertThat(second.uri()).isEqualTo("/b");
        assertThat(second.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_0);
        assertThat(second.headers().entries()).extracting(e -> e.getKey() + ": " + e.getValue())
                .containsExactly("Host: b.example", "Content-Length: 2");
        assertThat(second.headers().get("x-one")).isNull();
        LastHttpContent body = ch.readInbound();
        assertThat(body.content().toString(StandardCharsets.US_ASCII)).isEqualTo("ok");
        body.release();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
