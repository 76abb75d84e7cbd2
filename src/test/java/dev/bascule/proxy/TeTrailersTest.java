package dev.bascule.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TE on the way upstream: hop-by-hop (RFC 9110 7.6.1), so an HTTP/1.1 origin never gets the client's; an HTTP/2
 * origin gets {@code te: trailers} when the client offered trailers (RFC 9110 10.1.4, RFC 9113 8.2.2), and nothing
 * else of it.
 */
class TeTrailersTest {

    private static HttpRequest request(String te) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/svc/Call");
        r.headers().set("host", "grpc.test").set("connection", "TE, keep-alive");
        if (te != null) {
            r.headers().add("te", te);
        }
        return r;
    }

    private static void toUpstream(HttpRequest r, boolean http2) {
        HeaderRules.toUpstream(r, r.uri(), "10.0.0.1", false, "http", null, http2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"trailers", "Trailers", "gzip ,  trailers", "deflate;q=0.5, trailers", "trailers;q=1, gzip"})
    void anHttp2OriginGetsTeTrailersWhenTheClientOfferedThem(String te) {
        HttpRequest r = request(te);

        toUpstream(r, true);

        assertThat(r.headers().getAll("te")).containsExactly("trailers");
        assertThat(r.headers().contains("connection")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"trailers", "deflate;q=0.5, trailers"})
    void anHttp11OriginGetsNoTe(String te) {
        HttpRequest r = request(te);

        toUpstream(r, false);

        assertThat(r.headers().contains("te")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"deflate", "gzip;q=0.5", "trailersx", "x-trailers", ""})
    void otherCodingsAreNotForwarded(String te) {
        HttpRequest r = request(te);

        toUpstream(r, true);

        assertThat(r.headers().contains("te")).isFalse();
    }

    @Test
    void severalTeLinesAreOneList() {
        HttpRequest r = request("deflate");
        r.headers().add("te", "trailers");

        toUpstream(r, true);

        assertThat(r.headers().getAll("te")).containsExactly("trailers");
    }

    @Test
    void noTeNoTe() {
        HttpRequest r = request(null);

        toUpstream(r, true);

        assertThat(r.headers().contains("te")).isFalse();
    }
}
