package dev.bascule.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

/** The handshake rules (RFC 6455 4.1, 4.2.1, 4.4) and the header rewrites that go with them, without sockets. */
class WebSocketHandshakeTest {
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    /** A well-formed handshake with {@code replaced} header values (name, value; a null value removes it). */
    private static HttpRequest handshake(HttpMethod method, String... replaced) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, "/chat");
        HttpHeaders h = r.headers();
        h.set("host", "app.test");
        h.set("connection", "Upgrade");
        h.set("upgrade", "websocket");
        h.set("sec-websocket-key", KEY);
        h.set("sec-websocket-version", "13");
        for (int i = 0; i < replaced.length; i += 2) {
            if (replaced[i + 1] == null) {
                h.remove(replaced[i]);
            } else {
                h.set(replaced[i], replaced[i + 1]);
            }
        }
        return r;
    }

    private static HttpRequest handshake(String... replaced) {
        return handshake(HttpMethod.GET, replaced);
    }

    @Test
    void aWebSocketIsAskedForByAnUpgradeListingItOnHttp11() {
        assertThat(WebSocketHandshake.requested(handshake())).isTrue();
        assertThat(WebSocketHandshake.requested(handshake("upgrade", "WebSocket"))).isTrue();
        assertThat(WebSocketHandshake.requested(handshake("upgrade", "foo/2, websocket"))).isTrue();
        assertThat(WebSocketHandshake.requested(handshake("upgrade", "h2c"))).isFalse();
        assertThat(WebSocketHandshake.requested(handshake("upgrade", null))).isFalse();
        HttpRequest old = handshake();
        old.setProtocolVersion(HttpVersion.HTTP_1_0);
        assertThat(WebSocketHandshake.requested(old)).as("RFC 9110 7.8: ignored in HTTP/1.0").isFalse();
    }

    @Test
    void aWellFormedHandshakePasses() {
        assertThat(WebSocketHandshake.check(handshake())).isNull();
        assertThat(WebSocketHandshake.check(handshake("connection", "keep-alive, Upgrade"))).as("Firefox").isNull();
        assertThat(WebSocketHandshake.check(handshake("connection", "UPGRADE"))).isNull();
        HttpRequest twoLines = handshake("connection", "keep-alive");
        twoLines.headers().add("connection", "upgrade");
        assertThat(WebSocketHandshake.check(twoLines)).isNull();
        assertThat(WebSocketHandshake.check(handshake("content-length", "0"))).isNull();
    }

    @Test
    void aMalformedHandshakeIs400() {
        assertThat(WebSocketHandshake.check(handshake(HttpMethod.POST))).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(WebSocketHandshake.check(handshake(HttpMethod.HEAD))).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(WebSocketHandshake.check(handshake("connection", "keep-alive")))
                .isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(WebSocketHandshake.check(handshake("connection", "upgraded"))).as("a token, not a prefix")
                .isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(WebSocketHandshake.check(handshake("connection", null))).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(WebSocketHandshake.check(handshake("sec-websocket-key", null)))
                .isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(WebSocketHandshake.check(handshake("sec-websocket-version", null)))
                .isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(WebSocketHandshake.check(handshake("content-length", "5"))).as("a body")
                .isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(WebSocketHandshake.check(handshake("transfer-encoding", "chunked")))
                .isEqualTo(HttpResponseStatus.BAD_REQUEST);
        HttpRequest twoKeys = handshake();
        twoKeys.headers().add("sec-websocket-key", "AAAAAAAAAAAAAAAAAAAAAA==");
        assertThat(WebSocketHandshake.check(twoKeys)).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        HttpRequest twoVersions = handshake();
        twoVersions.headers().add("sec-websocket-version", "13");
        assertThat(WebSocketHandshake.check(twoVersions)).isEqualTo(HttpResponseStatus.BAD_REQUEST);
    }

    @Test
    void anotherVersionIs426() {
        assertThat(WebSocketHandshake.check(handshake("sec-websocket-version", "8")))
                .isEqualTo(HttpResponseStatus.UPGRADE_REQUIRED);
        assertThat(WebSocketHandshake.check(handshake("sec-websocket-version", "13, 8")))
                .isEqualTo(HttpResponseStatus.UPGRADE_REQUIRED);
        assertThat(WebSocketHandshake.check(handshake("sec-websocket-version", "8", "sec-websocket-key", "x")))
                .as("the version is judged first: an older draft's key may differ")
                .isEqualTo(HttpResponseStatus.UPGRADE_REQUIRED);

        HttpHeaders h = ErrorResponses.of(HttpResponseStatus.UPGRADE_REQUIRED, false).headers();
        WebSocketHandshake.addVersionRequired(h);
        assertThat(h.get("sec-websocket-version")).isEqualTo("13");
        assertThat(h.get("upgrade")).isEqualTo("websocket");
        assertThat(h.get("connection")).isEqualTo("upgrade");
        HttpHeaders closing = ErrorResponses.of(HttpResponseStatus.UPGRADE_REQUIRED, true).headers();
        WebSocketHandshake.addVersionRequired(closing);
        assertThat(closing.get("connection")).isEqualTo("close, upgrade");
    }

    @Test
    void aKeyIsTheBase64OfSixteenBytes() {
        assertThat(WebSocketHandshake.validKey(KEY)).isTrue();
        assertThat(WebSocketHandshake.validKey("AAAAAAAAAAAAAAAAAAAAAA==")).isTrue();
        assertThat(WebSocketHandshake.validKey("+/+/+/+/+/+/+/+/+/+/+A==")).isTrue();
        assertThat(WebSocketHandshake.validKey("AAAAAAAAAAAAAAAAAAAAAA=")).as("15 bytes and a half").isFalse();
        assertThat(WebSocketHandshake.validKey("AAAAAAAAAAAAAAAAAAAAAAA=")).as("17 bytes").isFalse();
        assertThat(WebSocketHandshake.validKey("AAAAAAAAAAAAAAAAAAAAAAAA")).as("no padding").isFalse();
        assertThat(WebSocketHandshake.validKey("AAAAAAAAAAAAAAAAAAAA-_==")).as("base64url").isFalse();
        assertThat(WebSocketHandshake.validKey("AAAAAAAAAAAAAAAAAAAA AA==")).isFalse();
        assertThat(WebSocketHandshake.validKey("")).isFalse();
    }

    @Test
    void onlyA101ToWebSocketWithAnAcceptSwitches() {
        HttpResponse ok = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
        ok.headers().set("upgrade", "websocket").set("connection", "Upgrade")
                .set("sec-websocket-accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assertThat(WebSocketHandshake.accepted(ok)).isTrue();
        HttpResponse h2c = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
        h2c.headers().set("upgrade", "h2c").set("sec-websocket-accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assertThat(WebSocketHandshake.accepted(h2c)).isFalse();
        HttpResponse noAccept = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
        noAccept.headers().set("upgrade", "websocket");
        assertThat(WebSocketHandshake.accepted(noAccept)).isFalse();
    }

    @Test
    void theHandshakeGoesUpstreamWithItsUpgradeFieldsAndNothingElseTheClientListed() {
        HttpRequest r = handshake("connection", "keep-alive, Upgrade, X-Private");
        r.headers().set("x-private", "secret").set("sec-websocket-protocol", "chat").set("origin", "http://app.test");
        HeaderRules.toUpstream(r, "/chat", "203.0.113.9", false, "http", "1.1 bascule");
        HeaderRules.toUpstreamUpgrade(r);
        HttpHeaders h = r.headers();
        assertThat(h.get("connection")).isEqualTo("upgrade");
        assertThat(h.get("upgrade")).isEqualTo("websocket");
        assertThat(h.get("sec-websocket-key")).isEqualTo(KEY);
        assertThat(h.get("sec-websocket-version")).isEqualTo("13");
        assertThat(h.get("sec-websocket-protocol")).isEqualTo("chat");
        assertThat(h.get("origin")).isEqualTo("http://app.test");
        assertThat(h.contains("x-private")).as("named in Connection: hop-by-hop").isFalse();
        assertThat(h.get("x-forwarded-for")).isEqualTo("203.0.113.9");
    }

    @Test
    void the101GoesToTheClientWithItsUpgradeFieldsAndNoFraming() {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
        r.headers().set("upgrade", "WebSocket").set("connection", "Upgrade, X-Hop").set("x-hop", "1")
                .set("content-length", "0").set("sec-websocket-accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
                .set("sec-websocket-extensions", "permessage-deflate");
        HeaderRules.toClientSwitching(r, "1.1 bascule");
        HttpHeaders h = r.headers();
        assertThat(h.get("upgrade")).isEqualTo("websocket");
        assertThat(h.get("connection")).isEqualTo("upgrade");
        assertThat(h.contains("x-hop")).isFalse();
        assertThat(h.contains("content-length")).isFalse();
        assertThat(h.get("sec-websocket-accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assertThat(h.get("sec-websocket-extensions")).isEqualTo("permessage-deflate");
        assertThat(h.get("via")).isEqualTo("1.1 bascule");
    }
}
