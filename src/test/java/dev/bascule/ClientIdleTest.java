package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.testing.H2cClient;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestOrigin;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code client_idle}: a keep-alive connection is closed once it has waited that long for its next request,
 * counted from its last response; a request in flight is never idle, however slow its origin.
 */
@ExtendWith(LeakGuard.class)
class ClientIdleTest {
    private static final long IDLE_MILLIS = 400;
    private static final String GET = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    private TestOrigin origin;
    private ProxyUnderTest proxy;

    @BeforeEach
    void start() throws Exception {
        origin = TestOrigin.start("app-01");
        proxy = start(false);
    }

    private ProxyUnderTest start(boolean redirectHttps) throws Exception {
        return ProxyUnderTest.start("""
                listeners: [ { address: 127.0.0.1:0, redirect_https: %b, protocols: [ %s ] } ]
                timeouts: { client_idle: %dms }
                upstreams: { app: { servers: [ { address: %s } ] } }
                routes: [ { match: { path_prefix: / }, upstream: app } ]
                """.formatted(redirectHttps, redirectHttps ? "http1" : "http1, h2c", IDLE_MILLIS, origin.address()),
                1);
    }

    @AfterEach
    void stop() {
        proxy.close();
        origin.close();
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterClientIdle() throws Exception {
        try (RawHttp c = proxy.raw()) {
            assertThat(c.exchange(GET).status()).isEqualTo(200);
            long answered = System.nanoTime();

            assertThat(c.closedByPeer()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - answered)).isGreaterThanOrEqualTo(
                    Duration.ofMillis(IDLE_MILLIS - 50)); // the timer's own rounding, not a speed claim
        }
    }

    @Test
    void anIdleHttp2ConnectionIsClosedAfterClientIdleToo() throws Exception {
        try (H2cClient h2c = new H2cClient(proxy.address())) {
            assertThat(h2c.get("a", "/").status()).isEqualTo(200);
            long answered = System.nanoTime();

            assertThat(h2c.channel().closeFuture().await(5, TimeUnit.SECONDS)).as("closed by Bascule").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - answered)).isGreaterThanOrEqualTo(
                    Duration.ofMillis(IDLE_MILLIS - 50));
        }
    }

    @Test
    void aResponseSlowerThanClientIdleIsNotCut() throws Exception {
        try (RawHttp c = proxy.raw()) {
            RawHttp.Response slow = c.exchange("GET /delay?ms=" + 3 * IDLE_MILLIS + " HTTP/1.1\r\nHost: a\r\n\r\n");

            assertThat(slow.status()).isEqualTo(200);
            assertThat(c.exchange(GET).status()).isEqualTo(200); // and the connection is still there
        }
    }

    @Test
    void idleTimeCountsFromTheLastResponseNotFromTheFirst() throws Exception {
        try (RawHttp c = proxy.raw()) {
            // Five requests IDLE_MILLIS / 2 apart span more than twice client_idle; no gap reaches it.
            for (int i = 0; i < 5; i++) {
                assertThat(c.exchange(GET).status()).isEqualTo(200);
                Thread.sleep(IDLE_MILLIS / 2);
            }
            assertThat(c.exchange(GET).status()).isEqualTo(200);
        }
        assertThat(origin.requests()).isEqualTo(6);
    }

    @Test
    void theRedirectListenerClosesIdleConnectionsToo() throws Exception {
        try (ProxyUnderTest redirecting = start(true); RawHttp c = redirecting.raw()) {
            RawHttp.Response r = c.exchange("GET /x HTTP/1.1\r\nHost: labs.test\r\n\r\n");
            assertThat(r.status()).isEqualTo(308);
            long answered = System.nanoTime();

            assertThat(c.closedByPeer()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - answered)).isGreaterThanOrEqualTo(
                    Duration.ofMillis(IDLE_MILLIS - 50));
        }
    }
}
