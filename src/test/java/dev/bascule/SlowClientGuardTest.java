package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.config.BasculeConfig;
import dev.bascule.config.TimeoutsConfig;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestOrigin;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Slowloris and stalled uploads: slow clients lose their own connection and cost no one else anything. */
@ExtendWith(LeakGuard.class)
class SlowClientGuardTest {
    private static final int TRICKLERS = 200;
    private TestOrigin origin;
    private ProxyUnderTest proxy;

    @BeforeEach
    void start() throws Exception {
        origin = TestOrigin.start("app-01");
        BasculeConfig c = ProxyUnderTest.parse("""
                listeners: [ { address: 127.0.0.1:0 } ]
                upstreams: { app: { servers: [ { address: %s } ] } }
                routes: [ { match: { path_prefix: / }, upstream: app } ]
                """.formatted(origin.address()));
        TimeoutsConfig t = c.timeouts();
        // client_header and client_body_idle short; the YAML keys are loaded elsewhere, the records carry them.
        TimeoutsConfig shortTimeouts = new TimeoutsConfig(t.connect(), t.responseHeader(), t.clientIdle(),
                t.upstreamIdle(), Duration.ofMillis(500), Duration.ofMillis(500), t.tunnelIdle(), t.streamIdle());
        proxy = ProxyUnderTest.start(new BasculeConfig(c.source(), c.listeners(), c.admin(), shortTimeouts,
                c.limits(), c.upstreams(), c.routes(), c.shutdownGrace(), c.trustedProxies(), c.via(), c.requestId(),
                c.tracing(), c.accessLog()), 2);
    }

    @AfterEach
    void stop() {
        proxy.close();
        origin.close();
    }

    @Test
    void slowlorisConnectionsGet408WhileOthersAreServed() throws Exception {
        List<Trickler> tricklers = new ArrayList<>();
        try {
            for (int i = 0; i < TRICKLERS; i++) {
                tricklers.add(new Trickler(proxy.address()));
            }
            long started = System.nanoTime();
            long deadline = started + Duration.ofSeconds(15).toNanos();
            int served = 0;
            long slowestMillis = 0;
            // One byte per connection every ~100 ms, a normal request in between, until every trickler is closed.
            while ((served < 20 || tricklers.stream().anyMatch(t -> !t.closed)) && System.nanoTime() < deadline) {
                for (Trickler t : tricklers) {
                    t.step();
                }
                for (int k = 0; k < 5 && served < 20; k++) {
                    long t0 = System.nanoTime();
                    try (RawHttp c = proxy.raw()) {
                        assertThat(c.exchange("GET / HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
                    }
                    slowestMillis = Math.max(slowestMillis, (System.nanoTime() - t0) / 1_000_000);
                    served++;
                }
                Thread.sleep(100); // the trickle rate, not a timing assertion
            }
            assertThat(tricklers).allSatisfy(t -> {
                assertThat(t.closed).as("closed by the proxy").isTrue();
                assertThat(t.received()).startsWith("HTTP/1.1 408 ");
            });
            long quickest = tricklers.stream().mapToLong(t -> t.closedAt - t.openedAt).min().orElseThrow();
            assertThat(Duration.ofNanos(quickest)).as("none closed before client_header")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(450));
            assertThat(served).isEqualTo(20);
            assertThat(slowestMillis).as("normal requests stay prompt").isLessThan(2000);
            assertThat(origin.recorded()).hasSize(20);
        } finally {
            for (Trickler t : tricklers) {
                t.channel.close();
            }
        }
    }

    @Test
    void stalledUploadIsAbandonedAndItsOriginConnectionClosed() throws Exception {
        try (RawHttp c = proxy.raw()) {
            c.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n" + "x".repeat(10));
            await().atMost(Duration.ofSeconds(5)).until(() -> origin.requests() == 1);
            RawHttp.Response r = c.read(false);
            assertThat(r.status()).isEqualTo(408);
            assertThat(c.closedByPeer()).isTrue();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> origin.openConnections() == 0);
        assertThat(origin.bytesUploaded()).isEqualTo(10);
    }

    @Test
    void aBodyThatKeepsMovingIsNotCut() throws Exception {
        try (RawHttp c = proxy.raw()) {
            c.send("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int i = 0; i < 10; i++) { // ~2 s in all, every gap under client_body_idle
                c.send("1\r\nx\r\n");
                Thread.sleep(200);
            }
            c.send("0\r\n\r\n");
            assertThat(c.read(false).bodyText()).isEqualTo("10");
        }
    }

    @Test
    void idleKeepAliveConnectionIsNotCutByTheHeaderTimeout() throws Exception {
        try (RawHttp c = proxy.raw()) {
            assertThat(c.exchange("GET / HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
            Thread.sleep(1000); // idle between requests: client_idle (60 s) applies, not client_header
            assertThat(c.exchange("GET / HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
        }
    }

    /** A client that sends an endless header block one byte at a time. */
    private static final class Trickler {
        private static final byte[] HEAD = "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
        final SocketChannel channel;
        private final StringBuilder received = new StringBuilder();
        private int sent;
        boolean closed;
        long closedAt;
        final long openedAt;

        Trickler(InetSocketAddress address) throws IOException {
            openedAt = System.nanoTime();
            channel = SocketChannel.open(address);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.configureBlocking(false);
        }

        void step() {
            if (closed) {
                return;
            }
            try {
                ByteBuffer in = ByteBuffer.allocate(512);
                int n;
                while ((n = channel.read(in)) > 0) {
                    received.append(new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1));
                    in.clear();
                }
                if (n < 0) {
                    markClosed();
                    return;
                }
                byte b = sent < HEAD.length ? HEAD[sent] : (byte) 'a';
                channel.write(ByteBuffer.wrap(new byte[] {b}));
                sent++;
            } catch (IOException e) {
                markClosed(); // reset by the proxy
            }
        }

        private void markClosed() {
            closed = true;
            closedAt = System.nanoTime();
        }

        String received() {
            return received.toString();
        }
    }
}
