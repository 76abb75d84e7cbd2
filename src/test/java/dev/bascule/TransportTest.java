package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bascule.proxy.Transport;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestOrigin;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each native transport ({@code -Dbascule.transport}) carries the proxy's traffic on both legs: keep-alive
 * requests, an upload, a streamed 1 MiB response and a chunked one, on one event loop and on two. io_uring is the
 * default, and epoll what Bascule falls back to where the kernel or container offers no io_uring; the rest of the
 * suite runs on whichever this machine gives, so this class keeps the other one covered. A transport this machine
 * lacks is skipped.
 */
@ExtendWith(LeakGuard.class)
class TransportTest {
    private String before;
    private TestOrigin a;
    private TestOrigin b;

    @BeforeEach
    void start() throws Exception {
        before = System.getProperty("bascule.transport");
        a = TestOrigin.start("a");
        b = TestOrigin.start("b");
    }

    @AfterEach
    void stop() {
        if (before == null) {
            System.clearProperty("bascule.transport");
        } else {
            System.setProperty("bascule.transport", before);
        }
        a.close();
        b.close();
    }

    private static void use(String transport) {
        assumeTrue(transport.equals("io_uring") ? IoUring.isAvailable() : Epoll.isAvailable(),
                transport + " is not available here");
        System.setProperty("bascule.transport", transport);
    }

    @Test
    void ioUringIsTheDefaultWhereTheKernelOffersIt() {
        System.clearProperty("bascule.transport");
        String expected = IoUring.isAvailable() ? "io_uring" : Epoll.isAvailable() ? "epoll" : "nio";
        assertThat(Transport.best().name()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll"})
    void theTransportIsChosenByName(String transport) {
        use(transport);
        assertThat(Transport.best().name()).isEqualTo(transport);
    }

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll"})
    void proxiesOnOneLoop(String transport) throws Exception {
        use(transport);
        proxies(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll"})
    void proxiesOnTwoLoops(String transport) throws Exception {
        use(transport);
        proxies(2);
    }

    private void proxies(int loops) throws Exception {
        try (ProxyUnderTest proxy = ProxyUnderTest.start("""
                listeners: [ { address: 127.0.0.1:0 } ]
                upstreams: { app: { servers: [ { address: %s }, { address: %s } ] } }
                routes: [ { upstream: app } ]
                """.formatted(a.address(), b.address()), loops);
                RawHttp http = new RawHttp(proxy.address())) {
            for (int i = 0; i < 20; i++) {
                RawHttp.Response r = http.exchange("GET / HTTP/1.1\r\nHost: app.test\r\n\r\n");
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.bodyText()).isIn("a", "b");
            }
            String body = "x".repeat(100_000);
            RawHttp.Response upload = http.exchange("POST /upload HTTP/1.1\r\nHost: app.test\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body);
            assertThat(upload.bodyText()).isEqualTo(Integer.toString(body.length()));
            RawHttp.Response big = http.exchange("GET /bytes?n=1048576 HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(big.body()).hasSize(1 << 20);
            RawHttp.Response chunked = http.exchange("GET /chunked?n=70000 HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(chunked.body()).hasSize(70_000);
            assertThat(new String(http.exchange("GET / HTTP/1.1\r\nHost: app.test\r\n\r\n").body(),
                    StandardCharsets.US_ASCII)).isIn("a", "b");
        }
    }
}
