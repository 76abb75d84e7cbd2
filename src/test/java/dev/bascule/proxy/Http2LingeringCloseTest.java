package dev.bascule.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawH2;
import dev.bascule.testing.TestOrigin;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client whose HTTP/2 connection Bascule ends while the client is still writing gets the GOAWAY that says why:
 * Bascule ends its side and drops what follows ({@link LingeringClose}) rather than closing with the client's
 * bytes unread, which would reset the connection and lose the GOAWAY in the client's kernel.
 */
@ExtendWith(LeakGuard.class)
class Http2LingeringCloseTest {
    private static final int UNKNOWN_FRAME_TYPE = 0xfa;

    private TestOrigin origin;
    private ProxyUnderTest proxy;

    @BeforeEach
    void start() throws Exception {
        origin = TestOrigin.start("web");
        proxy = ProxyUnderTest.start("""
                listeners:
                  - address: 127.0.0.1:0
                    protocols: [http1, h2c]
                upstreams:
                  web: { servers: [ { address: %s } ] }
                routes: [ { upstream: web } ]
                """.formatted(origin.address()), 1);
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        origin.close();
    }

    @Test
    void aConnectionErrorReachesAClientThatKeepsWriting() throws Exception {
        try (RawH2 client = new RawH2(proxy.address())) {
            assertThat(client.until(RawH2.SETTINGS)).isNotNull();
            // DATA on stream 0 is a connection error (RFC 9113 6.1); 8 MiB follow it in the same burst, more
            // than one read takes, so the connection ends with the client's bytes still arriving.
            CompletableFuture<Void> rest = CompletableFuture.runAsync(() -> {
                byte[] junk = new byte[16 * 1024];
                try {
                    client.frame(RawH2.DATA, 0, 0, new byte[8]);
                    for (int i = 0; i < 512; i++) {
                        client.frame(UNKNOWN_FRAME_TYPE, 0, 0, junk);
                    }
                    client.flush();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });

            RawH2.Frame goAway = client.goAwayThenEnd();
            assertThat(goAway).as("GOAWAY before the connection ends").isNotNull();
            assertThat(goAway.errorCode()).isEqualTo(RawH2.PROTOCOL_ERROR);
            rest.get(10, TimeUnit.SECONDS); // what the client wrote after the error was taken, not refused
        }
        assertThat(origin.requests()).isZero();
    }

    @Test
    void aStopDoesNotWaitOutAClientThatNeverCloses() throws Exception {
        try (RawH2 client = new RawH2(proxy.address())) {
            assertThat(client.until(RawH2.SETTINGS)).isNotNull();
            long start = System.nanoTime();
            proxy.close(); // the client reads nothing and keeps its end open meanwhile
            proxy = null;
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(tookMillis).as("a stop cuts lingering short").isLessThan(LingeringClose.QUIET_MILLIS);
            assertThat(client.goAwayThenEnd()).as("the GOAWAY of the stop").isNotNull();
        }
    }
}
