package dev.bascule;

import static dev.bascule.testing.RawWebSocket.clientBinaryHead;
import static dev.bascule.testing.RawWebSocket.clientText;
import static dev.bascule.testing.RawWebSocket.serverBinaryHead;
import static dev.bascule.testing.RawWebSocket.serverText;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.RawWebSocket;
import dev.bascule.testing.WebSocketOrigin;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A tunnel reads one side only while the other takes what is read: a side that stops reading stalls its peer
 * once the buffers on the way are full (far less than what is sent), and everything arrives once it reads again.
 */
@ExtendWith(LeakGuard.class)
class WebSocketBackPressureTest {
    /** Far more than the socket buffers between the two ends can hold (Linux grows them to 32 MiB at most). */
    private static final int FRAMES = 96;
    private static final long TOTAL = (long) FRAMES * WebSocketOrigin.FLOOD.length;

    private static WebSocketOrigin origin;
    private static ProxyUnderTest proxy;

    @BeforeAll
    static void start() throws Exception {
        origin = WebSocketOrigin.start("ws-bp");
        proxy = ProxyUnderTest.start("""
                listeners: [ { address: 127.0.0.1:0 } ]
                upstreams: { app: { servers: [ { address: %s } ] } }
                routes: [ { match: { path_prefix: / }, upstream: app } ]
                """.formatted(origin.address()), 1);
    }

    @AfterAll
    static void stop() {
        proxy.close();
        origin.close();
    }

    /** Waits until {@code progress} has started and stopped moving, and returns where it stopped. */
    private static long stalled(LongSupplier progress) {
        long[] last = {-1};
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> {
            long now = progress.getAsLong();
            boolean still = now == last[0] && now > 0;
            last[0] = now;
            return still;
        });
        return last[0];
    }

    @Test
    void aClientThatStopsReadingStallsTheOrigin() throws Exception {
        try (RawHttp c = proxy.raw()) {
            c.send(RawWebSocket.firefoxHandshake("/ws"));
            assertThat(c.read(true).status()).isEqualTo(101);
            long before = origin.flushedBytes();
            c.send(clientText("flood:" + FRAMES));
            long stalledAt = stalled(() -> origin.flushedBytes() - before);
            assertThat(stalledAt).as("bytes the origin got out while the client read nothing").isLessThan(TOTAL / 2);

            for (int i = 0; i < FRAMES; i++) {
                assertThat(serverBinaryHead(c)).isEqualTo(WebSocketOrigin.FLOOD.length);
                assertThat(c.readExactly(WebSocketOrigin.FLOOD.length)).isEqualTo(WebSocketOrigin.FLOOD);
            }
            assertThat(origin.flushedBytes() - before).isEqualTo(TOTAL);
        }
    }

    @Test
    void anOriginThatStopsReadingStallsTheClient() throws Exception {
        try (RawHttp c = proxy.raw()) {
            c.send(RawWebSocket.firefoxHandshake("/ws"));
            assertThat(c.read(true).status()).isEqualTo(101);
            c.send(clientText("sink"));
            assertThat(serverText(c)).isEqualTo("sinking");
            long before = origin.sunkBytes();
            AtomicLong written = new AtomicLong();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < FRAMES; i++) {
                        c.send(clientBinaryHead(WebSocketOrigin.FLOOD.length));
                        c.send(WebSocketOrigin.FLOOD);
                        written.addAndGet(WebSocketOrigin.FLOOD.length);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long stalledAt = stalled(written::get);
            assertThat(stalledAt).as("bytes the client got out while the origin read nothing").isLessThan(TOTAL / 2);
            assertThat(writer).isNotDone();

            origin.resumeReading();
            writer.get(20, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20)).until(() -> origin.sunkBytes() - before == TOTAL);
        }
    }
}
