package dev.bascule;

import static dev.bascule.testing.RawWebSocket.accept;
import static dev.bascule.testing.RawWebSocket.clientText;
import static dev.bascule.testing.RawWebSocket.serverText;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.RawOrigin;
import dev.bascule.testing.RawWebSocket;
import dev.bascule.testing.TestOrigin;
import dev.bascule.testing.WebSocketOrigin;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The WebSocket handshake over raw sockets, for what a browser may send that the JDK client does not (Firefox's
 * {@code Connection: keep-alive, Upgrade}, bytes right behind the handshake) and for the handshakes Bascule
 * refuses itself (400, 426, 403) or whose answer it relays as an ordinary response.
 */
@ExtendWith(LeakGuard.class)
class WebSocketHandshakeRulesTest {
    private static final String KEY = RawWebSocket.KEY;

    private static WebSocketOrigin ws;
    private static TestOrigin http;
    private static RawOrigin raw;
    private static ProxyUnderTest proxy;

    @BeforeAll
    static void start() throws Exception {
        ws = WebSocketOrigin.start("ws-1");
        http = TestOrigin.start("http-1");
        raw = new RawOrigin();
        proxy = ProxyUnderTest.start("""
                listeners: [ { address: 127.0.0.1:0 } ]
                upstreams:
                  ws: { servers: [ { address: %s } ] }
                  http: { servers: [ { address: %s } ] }
                  raw: { servers: [ { address: %s } ] }
                routes:
                  - match: { path_prefix: /no-ws }
                    upstream: ws
                    websocket: false
                  - match: { path_prefix: /http }
                    upstream: http
                    strip_prefix: true
                  - match: { path_prefix: /raw }
                    upstream: raw
                  - match: { path_prefix: / }
                    upstream: ws
                """.formatted(ws.address(), http.address(), raw.address()), 1);
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        ws.close();
        http.close();
        raw.close();
    }

    private static String handshake(String path, String... extra) {
        StringBuilder b = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: app.test\r\n");
        for (String line : extra) {
            b.append(line).append("\r\n");
        }
        return b.append("\r\n").toString();
    }

    private static String firefox(String path) {
        return RawWebSocket.firefoxHandshake(path);
    }

    private static byte[] concat(byte[] x, byte[] y) {
        byte[] r = new byte[x.length + y.length];
        System.arraycopy(x, 0, r, 0, x.length);
        System.arraycopy(y, 0, r, x.length, y.length);
        return r;
    }

    @Test
    void firefoxConnectionListUpgradesAndTheTunnelCarriesFrames() throws Exception {
        try (RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.send(firefox("/ws")).read(true);
            assertThat(r.status()).isEqualTo(101);
            assertThat(r.header("upgrade")).isEqualToIgnoringCase("websocket");
            assertThat(r.header("connection")).isEqualToIgnoringCase("upgrade");
            assertThat(r.header("sec-websocket-accept")).isEqualTo(accept(KEY)); // the origin's, untouched
            assertThat(r.header("content-length")).isNull();
            c.send(clientText("hi"));
            assertThat(serverText(c)).isEqualTo("hi");
            c.send(clientText("name"));
            assertThat(serverText(c)).isEqualTo("ws-1");
        }
    }

    @Test
    void bytesSentRightBehindTheHandshakeReachTheOriginAfterItsAnswer() throws Exception {
        try (RawHttp c = proxy.raw()) {
            // Not what RFC 6455 4.1 lets a client do, but what the decoder may already hold when the 101 comes.
            c.send(concat(firefox("/ws").getBytes(StandardCharsets.ISO_8859_1), clientText("early")));
            assertThat(c.read(true).status()).isEqualTo(101);
            assertThat(serverText(c)).isEqualTo("early");
        }
    }

    @Test
    void bytesTheOriginSendsWithIts101ReachTheClientAndTheConnectionIsNeverPooled() throws Exception {
        try (RawOrigin origin = new RawOrigin(); ProxyUnderTest p = ProxyUnderTest.start("""
                listeners: [ { address: 127.0.0.1:0 } ]
                upstreams: { raw: { servers: [ { address: %s } ] } }
                routes: [ { match: { path_prefix: / }, upstream: raw } ]
                """.formatted(origin.address()), 1)) {
            // The 101 and a first frame in one write, as a server that greets its clients does.
            origin.then("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept(KEY) + "\r\n\r\n\u0081\u0005hello");
            try (RawHttp c = p.raw()) {
                assertThat(c.send(firefox("/ws")).read(true).status()).isEqualTo(101);
                assertThat(serverText(c)).isEqualTo("hello");
                // While the tunnel is open, another request needs a connection of its own.
                try (RawHttp other = p.raw()) {
                    assertThat(other.exchange("GET /x HTTP/1.1\r\nHost: app.test\r\n\r\n").status()).isEqualTo(200);
                }
                assertThat(origin.connectionsAccepted()).isEqualTo(2);
            }
            try (RawHttp c = p.raw()) {
                assertThat(c.exchange("GET /y HTTP/1.1\r\nHost: app.test\r\n\r\n").status()).isEqualTo(200);
            }
            assertThat(origin.requestLines()).containsExactly("GET /ws HTTP/1.1", "GET /x HTTP/1.1", "GET /y HTTP/1.1");
        }
    }

    @Test
    void anOriginThatAcceptsSendsACloseFrameAndHangsUpAtOnceIsStillHeard() throws Exception {
        try (RawOrigin origin = new RawOrigin(); ProxyUnderTest p = ProxyUnderTest.start("""
                listeners: [ { address: 127.0.0.1:0 } ]
                upstreams: { raw: { servers: [ { address: %s } ] } }
                routes: [ { match: { path_prefix: / }, upstream: raw } ]
                """.formatted(origin.address()), 1)) {
            // As a server that refuses a client after the handshake does: 101, Close(4001), FIN, in one go.
            origin.thenClose("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept(KEY) + "\r\n\r\n\u0088\u0002\u000f\u00a1");
            try (RawHttp c = p.raw()) {
                assertThat(c.send(firefox("/ws")).read(true).status()).isEqualTo(101);
                assertThat(c.readExactly(4)).containsExactly((byte) 0x88, 0x02, 0x0f, (byte) 0xa1);
                assertThat(c.closedByPeer()).isTrue();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> p.bascule().control().status().get()
                    .upstreams().get("raw").servers().get(0).inFlight() == 0);
        }
    }

    @Test
    void aMalformedKeyIs400AndTheConnectionGoesOn() throws Exception {
        try (RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.exchange(handshake("/ws", "Connection: Upgrade", "Upgrade: websocket",
                    "Sec-WebSocket-Key: not-base64-of-16-bytes", "Sec-WebSocket-Version: 13"));
            assertThat(r.status()).isEqualTo(400);
            assertThat(c.exchange("GET /plain HTTP/1.1\r\nHost: app.test\r\n\r\n").bodyText()).isEqualTo("plain:ws-1");
        }
        try (RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.exchange(handshake("/ws", "Connection: Upgrade", "Upgrade: websocket",
                    "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA=", "Sec-WebSocket-Version: 13")); // 15 bytes
            assertThat(r.status()).isEqualTo(400);
        }
    }

    @Test
    void anotherVersionIs426NamingVersion13() throws Exception {
        int handshakes = ws.handshakes();
        try (RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.exchange(handshake("/ws", "Connection: Upgrade", "Upgrade: websocket",
                    "Sec-WebSocket-Key: " + KEY, "Sec-WebSocket-Version: 8"));
            assertThat(r.status()).isEqualTo(426);
            assertThat(r.header("sec-websocket-version")).isEqualTo("13");
            assertThat(r.header("upgrade")).isEqualTo("websocket");
        }
        assertThat(ws.handshakes()).as("nothing forwarded").isEqualTo(handshakes);
    }

    @Test
    void aHandshakeWithoutTheUpgradeOptionOrNotAGetIs400() throws Exception {
        try (RawHttp c = proxy.raw()) {
            assertThat(c.exchange(handshake("/ws", "Connection: keep-alive", "Upgrade: websocket",
                    "Sec-WebSocket-Key: " + KEY, "Sec-WebSocket-Version: 13")).status()).isEqualTo(400);
            assertThat(c.exchange(handshake("/ws", "Upgrade: websocket", "Sec-WebSocket-Key: " + KEY,
                    "Sec-WebSocket-Version: 13")).status()).isEqualTo(400);
            assertThat(c.exchange(firefox("/ws").replaceFirst("GET", "PUT")).status()).isEqualTo(400);
        }
    }

    @Test
    void aRouteWithWebsocketFalseAnswers403() throws Exception {
        try (RawHttp c = proxy.raw()) {
            assertThat(c.exchange(firefox("/no-ws/chat")).status()).isEqualTo(403);
            // an ordinary request on that route is served
            assertThat(c.exchange("GET /no-ws/x HTTP/1.1\r\nHost: app.test\r\n\r\n").bodyText())
                    .isEqualTo("plain:ws-1");
        }
    }

    @Test
    void anAnswerOtherThan101IsRelayedAndTheConnectionStaysHttp() throws Exception {
        try (RawHttp c = proxy.raw()) {
            // The handshake and a pipelined request in one write: the second is read only after the first was
            // answered without a switch.
            c.send(firefox("/plain") + "GET /plain/again HTTP/1.1\r\nHost: app.test\r\n\r\n");
            RawHttp.Response first = c.read(false);
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.bodyText()).isEqualTo("plain:ws-1");
            assertThat(first.header("upgrade")).isNull();
            RawHttp.Response second = c.read(false);
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.bodyText()).isEqualTo("plain:ws-1");
        }
    }

    @Test
    void otherUpgradesAreStillStripped() throws Exception {
        try (RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.exchange(handshake("/http/echo-headers", "Connection: Upgrade, HTTP2-Settings",
                    "Upgrade: h2c", "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA"));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText().toLowerCase()).doesNotContain("upgrade").doesNotContain("http2-settings");
        }
    }

    @Test
    void anOriginThatSwitchesToAnotherProtocolGets502() throws Exception {
        raw.then("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n");
        try (RawHttp c = proxy.raw()) {
            assertThat(c.exchange(firefox("/raw")).status()).isEqualTo(502);
        }
        // A 101 to a request that asked for no upgrade: what follows it is not HTTP.
        raw.then("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nnot http");
        try (RawHttp c = proxy.raw()) {
            assertThat(c.exchange("GET /raw/plain HTTP/1.1\r\nHost: app.test\r\n\r\n").status()).isEqualTo(502);
        }
    }
}
