package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.WebSocketInbox;
import dev.bascule.testing.WebSocketOrigin;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** How a tunnel ends without either side closing it: after {@code tunnel_idle}, and at the end of a shutdown. */
@ExtendWith(LeakGuard.class)
class WebSocketTunnelLifetimeTest {
    private WebSocketOrigin origin;
    private HttpClient client;

    @BeforeEach
    void start() throws Exception {
        origin = WebSocketOrigin.start("ws-life");
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterEach
    void stop() {
        origin.close();
    }

    private ProxyUnderTest proxy(String extra) throws Exception {
        return ProxyUnderTest.start("""
                listeners: [ { address: 127.0.0.1:0 } ]
                %s
                upstreams:
                  app: { servers: [ { address: %s } ] }
                routes:
                  - match: { path_prefix: / }
                    upstream: app
                """.formatted(extra, origin.address()), 1);
    }

    private static URI ws(ProxyUnderTest proxy) {
        return URI.create("ws://127.0.0.1:" + proxy.port() + "/ws");
    }

    private static int inFlight(ProxyUnderTest proxy) throws Exception {
        return proxy.bascule().control().status().get(5, TimeUnit.SECONDS).upstreams().get("app").servers().get(0)
                .inFlight();
    }

    @Test
    void aTunnelClosesAfterTunnelIdleWithNoByteEitherWay() throws Exception {
        try (ProxyUnderTest proxy = proxy("timeouts: { tunnel_idle: 400ms }")) {
            WebSocketInbox inbox = WebSocketInbox.open(client, ws(proxy));
            // Ten messages over a second, more than twice the idle timeout: traffic keeps the tunnel open.
            inbox.socket().sendText("ticks:10", true).get(5, TimeUnit.SECONDS);
            for (int i = 0; i < 10; i++) {
                assertThat(inbox.next()).isEqualTo("tick-" + i);
            }
            long lastByte = System.nanoTime();
            assertThat(inbox.closed()).isNotDone();
            assertThat(inFlight(proxy)).isEqualTo(1);

            // Then nothing moves: both connections are closed (no close frame: Bascule does not speak WebSocket).
            inbox.closed().get(5, TimeUnit.SECONDS);
            long quietMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastByte);
            assertThat(quietMillis).isGreaterThanOrEqualTo(350);
            await().atMost(Duration.ofSeconds(5)).until(() -> origin.openWebSockets() == 0 && inFlight(proxy) == 0);
        }
    }

    @Test
    void aTunnelRunsThroughTheShutdownGraceAndIsClosedAtItsEnd() throws Exception {
        ProxyUnderTest proxy = proxy("shutdown_grace: 1500ms");
        WebSocketInbox inbox = WebSocketInbox.open(client, ws(proxy));
        assertThat(inbox.roundTrip("before")).isEqualTo("before");

        long started = System.nanoTime();
        CompletableFuture<Boolean> shutdown = CompletableFuture.supplyAsync(proxy.bascule()::shutdownGracefully);
        await().atMost(Duration.ofSeconds(5)).until(() -> refused(proxy.port()));
        // A tunnel is never idle: shutdown leaves it open for the grace period.
        assertThat(inbox.roundTrip("during")).isEqualTo("during");
        assertThat(inbox.closed()).isNotDone();

        assertThat(shutdown.get(10, TimeUnit.SECONDS)).as("not clean: the tunnel was cut").isFalse();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(1400);
        inbox.closed().get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> origin.openWebSockets() == 0);
    }

    private static boolean refused(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
