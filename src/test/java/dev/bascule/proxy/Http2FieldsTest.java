package dev.bascule.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import org.junit.jupiter.api.Test;

class Http2FieldsTest {

    @Test
    void aRequestKeepsItsFieldsInOrderWithAuthorityAsHost() {
        Http2Headers in = new DefaultHttp2Headers().method("GET").scheme("https").authority("a.test").path("/x?y=1");
        in.add("accept", "*/*").add("x-one", "1").add("x-one", "2");
        HttpRequest request = Http2Fields.request(in);
        assertThat(request.method()).isEqualTo(HttpMethod.GET);
        assertThat(request.uri()).isEqualTo("/x?y=1");
        assertThat(request.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
        assertThat(request.headers().names()).containsExactly("host", "accept", "x-one");
        assertThat(request.headers().get("host")).isEqualTo("a.test");
        assertThat(request.headers().getAll("x-one")).containsExactly("1", "2");
        assertThat(request.headers().contains(":scheme")).isFalse();
    }

    @Test
    void cookieCrumbsAreJoinedIntoOneField() {
        Http2Headers in = new DefaultHttp2Headers().method("GET").scheme("http").authority("a").path("/");
        in.add("cookie", "a=1").add("x", "y").add("cookie", "b=2");
        HttpRequest request = Http2Fields.request(in);
        assertThat(request.headers().getAll("cookie")).containsExactly("a=1; b=2"); // RFC 9113 8.2.3
    }

    @Test
    void connectTakesItsTargetFromTheAuthority() {
        Http2Headers in = new DefaultHttp2Headers().method("CONNECT").authority("origin.test:443");
        assertThat(Http2Fields.request(in).uri()).isEqualTo("origin.test:443");
    }

    @Test
    void aRequestWithoutMethodOrPathIsRefused() {
        assertThatThrownBy(() -> Http2Fields.request(new DefaultHttp2Headers().path("/")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Http2Fields.request(new DefaultHttp2Headers().method("GET")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aResponseLosesWhatHttp2DoesNotCarry() {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().add("Content-Type", "text/plain").add("Connection", "keep-alive, X-Private")
                .add("Keep-Alive", "timeout=5").add("Transfer-Encoding", "chunked").add("Upgrade", "h2c")
                .add("Proxy-Connection", "close").add("X-Private", "secret").add("TE", "trailers, deflate")
                .add("Set-Cookie", "a=1").add("Set-Cookie", "b=2");
        Http2Headers out = Http2Fields.response(head, null);
        assertThat(out.status()).hasToString("200");
        assertThat(names(out)).containsExactly(":status", "content-type", "te", "set-cookie", "set-cookie");
        assertThat(out.get("te")).hasToString("trailers");
        assertThat(out.getAll("set-cookie")).extracting(CharSequence::toString).containsExactly("a=1", "b=2");
    }

    @Test
    void theListenersStrictTransportSecurityReplacesTheOrigins() {
        AsciiString hsts = new AsciiString("max-age=63072000");
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().add("Strict-Transport-Security", "max-age=1");
        Http2Headers out = Http2Fields.response(head, hsts);
        assertThat(out.getAll("strict-transport-security")).extracting(CharSequence::toString)
                .containsExactly("max-age=63072000");

        HttpResponse early = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(103));
        assertThat(Http2Fields.response(early, hsts).contains("strict-transport-security"))
                .as("an interim response carries none").isFalse();
        assertThat(Http2Fields.response(head, null).get("strict-transport-security")).hasToString("max-age=1");
    }

    private static java.util.List<String> names(Http2Headers h) {
        java.util.List<String> names = new java.util.ArrayList<>();
        h.forEach(e -> names.add(e.getKey().toString()));
        return names;
    }
}
