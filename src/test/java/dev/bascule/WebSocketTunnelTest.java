package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.bascule.control.Status;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.WebSocketInbox;
import dev.bascule.testing.WebSocketOrigin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * WebSocket through Bascule with real clients and servers it did not write: the JDK's WebSocket client against
 * an origin built on Netty's {@code WebSocketServerProtocolHandler}. The handshake is forwarded, the origin's 101
 * turns both connections into a byte tunnel, and the tunnel counts as a request in flight on its server.
 */
@ExtendWith(LeakGuard.class)
class WebSocketTunnelTest {
    private static WebSocketOrigin a;
    private static WebSocketOrigin b;
    private static ProxyUnderTest proxy;
    private static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        a = WebSocketOrigin.start("ws-a");
        b = WebSocketOrigin.start("ws-b");
        proxy = ProxyUnderTest.start("""
                listeners: [ { address: 127.0.0.1:0 } ]
                upstreams:
                  app:
                    balancer: least_conn
                    servers: [ { address: %s }, { address: %s } ]
                routes:
                  - match: { path_prefix: / }
                    upstream: app
                """.formatted(a.address(), b.address()), 2);
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        proxy.close();
        a.close();
        b.close();
    }

    private static URI ws(String path) {
        return URI.create("ws://127.0.0.1:" + proxy.port() + path);
    }

    private static Status.UpstreamStatus app() throws Exception {
        return proxy.bascule().control().status().get(5, TimeUnit.SECONDS).upstreams().get("app");
    }

    private static int inFlight(WebSocketOrigin o) throws Exception {
        for (Status.ServerStatus s : app().servers()) {
            if (s.address().equals(o.address())) {
                return s.inFlight();
            }
        }
        return -1; // not listed
    }

    private static void closeAndAwait(WebSocketInbox inbox) throws Exception {
        inbox.socket().sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        assertThat(inbox.closed().get(10, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
    }

    private static void awaitNoTunnels() {
        await().atMost(Duration.ofSeconds(10)).until(() -> inFlight(a) == 0 && inFlight(b) == 0
                && a.openWebSockets() == 0 && b.openWebSockets() == 0);
    }

    @Test
    void textAndOneMebibyteBinaryMessagesEchoIntact() throws Exception {
        WebSocketInbox inbox = WebSocketInbox.open(client, ws("/ws/echo"));
        assertThat(inbox.roundTrip("hello")).isEqualTo("hello");
        String unicode = "zażółć gęślą jaźń \uD83D\uDE00";
        assertThat(inbox.roundTrip(unicode)).isEqualTo(unicode);

        byte[] big = new byte[1 << 20];
        new Random(42).nextBytes(big);
        inbox.socket().sendBinary(ByteBuffer.wrap(big), true).get(10, TimeUnit.SECONDS);
        assertThat((byte[]) inbox.next()).isEqualTo(big);
        closeAndAwait(inbox);
        awaitNoTunnels();
    }

    @Test
    void closeCodesPassThroughBothWays() throws Exception {
        WebSocketInbox fromClient = WebSocketInbox.open(client, ws("/ws"));
        fromClient.socket().sendClose(4001, "client says bye").get(5, TimeUnit.SECONDS);
        assertThat(fromClient.closed().get(10, TimeUnit.SECONDS)).isEqualTo(4001); // echoed by the origin
        assertThat(fromClient.closeReason()).isEqualTo("client says bye");

        WebSocketInbox fromOrigin = WebSocketInbox.open(client, ws("/ws"));
        fromOrigin.socket().sendText("close:4002", true).get(5, TimeUnit.SECONDS);
        assertThat(fromOrigin.closed().get(10, TimeUnit.SECONDS)).isEqualTo(4002);
        assertThat(fromOrigin.closeReason()).isEqualTo("origin closes");
        awaitNoTunnels();
    }

    @Test
    void twoHundredConcurrentTunnelsEachCountInFlightUntilClosed() throws Exception {
        int n = 200;
        List<CompletableFuture<WebSocket>> opening = new ArrayList<>();
        List<WebSocketInbox> inboxes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            WebSocketInbox inbox = new WebSocketInbox();
            inboxes.add(inbox);
            opening.add(client.newWebSocketBuilder().buildAsync(ws("/ws/" + i), inbox));
        }
        List<WebSocket> sockets = new ArrayList<>();
        for (CompletableFuture<WebSocket> f : opening) {
            sockets.add(f.get(20, TimeUnit.SECONDS));
        }
        for (int i = 0; i < n; i++) {
            sockets.get(i).sendText("message " + i, true);
        }
        for (int i = 0; i < n; i++) {
            assertThat(inboxes.get(i).next()).isEqualTo("message " + i);
        }
        // Every tunnel is a request in flight, in /status and so for least_conn, which spread them evenly (up to
        // picks made at the same moment on the two event loops).
        assertThat(inFlight(a) + inFlight(b)).isEqualTo(n);
        assertThat(inFlight(a)).isCloseTo(n / 2, within(4));
        assertThat(a.openWebSockets() + b.openWebSockets()).isEqualTo(n);
        for (WebSocket s : sockets) {
            s.sendClose(WebSocket.NORMAL_CLOSURE, "");
        }
        for (WebSocketInbox inbox : inboxes) {
            assertThat(inbox.closed().get(10, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
        }
        awaitNoTunnels();
    }

    @Test
    void leastConnCountsOpenTunnels() throws Exception {
        // Tunnels to a alone (b drained while they open), then b back: plain requests, one at a time, all go to
        // b, whose in-flight count is lower for as long as the tunnels to a stay open.
        proxy.bascule().control().drain("app", b.address(), true).get(5, TimeUnit.SECONDS);
        List<WebSocketInbox> tunnels = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            WebSocketInbox t = WebSocketInbox.open(client, ws("/ws"));
            assertThat(t.roundTrip("name")).isEqualTo("ws-a");
            tunnels.add(t);
        }
        proxy.bascule().control().drain("app", b.address(), false).get(5, TimeUnit.SECONDS);
        assertThat(inFlight(a)).isEqualTo(3);
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(proxy.uri("/plain")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).isEqualTo("plain:ws-b");
        }
        for (WebSocketInbox t : tunnels) {
            closeAndAwait(t);
        }
        awaitNoTunnels();
    }

    @Test
    void aTunnelSurvivesTheDrainAndTheRemovalOfItsServer() throws Exception {
        WebSocketInbox tunnel = WebSocketInbox.open(client, ws("/ws"));
        String name = (String) tunnel.roundTrip("name");
        WebSocketOrigin serving = name.equals("ws-a") ? a : b;
        WebSocketOrigin other = serving == a ? b : a;
        try {
            proxy.bascule().control().drain("app", serving.address(), true).get(5, TimeUnit.SECONDS);
            assertThat(tunnel.roundTrip("still there")).isEqualTo("still there");
            WebSocketInbox next = WebSocketInbox.open(client, ws("/ws"));
            assertThat(next.roundTrip("name")).isEqualTo(other.name());
            closeAndAwait(next);

            // The removal completes when the server's last request has ended; its tunnel runs on.
            proxy.bascule().control().removeServer("app", serving.address()).get(5, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> inFlight(serving) == -1);
            for (int i = 0; i < 5; i++) {
                assertThat(tunnel.roundTrip("ping " + i)).isEqualTo("ping " + i);
            }
            closeAndAwait(tunnel);
            await().atMost(Duration.ofSeconds(5)).until(() -> serving.openWebSockets() == 0);
        } finally {
            if (inFlight(serving) == -1) {
                proxy.bascule().control().addServer("app", serving.address(), 1).get(5, TimeUnit.SECONDS);
            } else {
                proxy.bascule().control().drain("app", serving.address(), false).get(5, TimeUnit.SECONDS);
            }
        }
        awaitNoTunnels();
    }

    @Test
    void aHandshakeTheOriginDoesNotAcceptIsRelayedAsAnOrdinaryResponse() throws Exception {
        // The JDK client sees the origin's own 200 and fails its handshake.
        WebSocketInbox inbox = new WebSocketInbox();
        CompletableFuture<WebSocket> f = client.newWebSocketBuilder().buildAsync(ws("/plain"), inbox);
        assertThat(f).failsWithin(Duration.ofSeconds(10))
                .withThrowableThat().havingRootCause().withMessageContaining("200");
    }
}
