package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.config.BasculeConfig;
import dev.bascule.config.TimeoutsConfig;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestCerts;
import dev.bascule.testing.TestOrigin;
import dev.bascule.testing.TlsConfigs;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code client_header} while a connection has not yet said which protocol it speaks: on a plain listener that
 * also serves h2c (the preface is still to tell) and on a TLS listener that offers h2 (the handshake and ALPN are
 * still to come). A client that says nothing is closed when it runs out; one that turns out to speak HTTP/1.1 keeps
 * the clock that started when it connected.
 */
@ExtendWith(LeakGuard.class)
class UndecidedProtocolTimeoutTest {
    private static final long HEADER_MILLIS = 500;
    @TempDir
    Path dir;
    private TestOrigin origin;
    private ProxyUnderTest proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    private void startPlain() throws Exception {
        origin = TestOrigin.start("app-01");
        proxy = ProxyUnderTest.start(withShortHeader(ProxyUnderTest.parse("""
                listeners: [ { address: 127.0.0.1:0, protocols: [ http1, h2c ] } ]
                upstreams: { app: { servers: [ { address: %s } ] } }
                routes: [ { match: { path_prefix: / }, upstream: app } ]
                """.formatted(origin.address()))), 1);
    }

    private static BasculeConfig withShortHeader(BasculeConfig c) {
        TimeoutsConfig t = c.timeouts();
        TimeoutsConfig shortHeader = new TimeoutsConfig(t.connect(), t.responseHeader(), t.clientIdle(),
                t.upstreamIdle(), Duration.ofMillis(HEADER_MILLIS), t.clientBodyIdle(), t.tunnelIdle(),
                t.streamIdle());
        return new BasculeConfig(c.source(), c.listeners(), c.admin(), shortHeader, c.limits(), c.upstreams(),
                c.routes(), c.shutdownGrace(), c.trustedProxies(), c.via(), c.requestId(), c.tracing(), c.accessLog());
    }

    @Test
    void aPlainClientThatSendsNothingIsClosedAfterClientHeader() throws Exception {
        startPlain();
        try (RawHttp c = proxy.raw()) {
            long opened = System.nanoTime();

            assertThat(c.closedByPeer()).as("closed by Bascule before the socket's 10 s read timeout").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - opened)).isGreaterThanOrEqualTo(
                    Duration.ofMillis(HEADER_MILLIS - 50)); // the timer's own rounding, not a speed claim
        }
    }

    @Test
    void anHttp1HeadStartedBeforeThePrefaceCouldBeToldKeepsItsClock() throws Exception {
        startPlain();
        try (RawHttp c = proxy.raw()) {
            long opened = System.nanoTime();
            c.send("GET / HTTP/1.1\r\nHost: a\r\n"); // HTTP/1.1 now; the head never ends

            RawHttp.Response r = c.read(false);

            assertThat(r.status()).isEqualTo(408);
            assertThat(Duration.ofNanos(System.nanoTime() - opened)).isGreaterThanOrEqualTo(
                    Duration.ofMillis(HEADER_MILLIS - 50));
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(origin.requests()).isZero();
    }

    @Test
    void anHttp1ConnectionOnTheSharedPortIsServedAndKeptAlive() throws Exception {
        startPlain();
        try (RawHttp c = proxy.raw()) {
            assertThat(c.exchange("GET / HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
            Thread.sleep(2 * HEADER_MILLIS); // idle between requests: client_idle applies, not client_header
            assertThat(c.exchange("GET / HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
        }
    }

    @Test
    void aTlsClientThatNeverHandshakesIsClosedAfterClientHeader() throws Exception {
        TestCerts.Issued cert = TestCerts.newCa("Bascule Test CA").issue("a.test", List.of("a.test"),
                List.of("127.0.0.1"));
        origin = TestOrigin.start("app-01");
        proxy = ProxyUnderTest.start(withShortHeader(TlsConfigs.tls(TlsConfigs.simple(origin.address()), null,
                cert.write(dir, "a"))), 1);
        try (Socket s = new Socket()) {
            s.connect(proxy.address(), 2000);
            s.setSoTimeout(5_000); // under the TLS handler's own 10 s handshake timeout
            long opened = System.nanoTime();

            assertThat(s.getInputStream().read()).as("closed by Bascule").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - opened)).isGreaterThanOrEqualTo(
                    Duration.ofMillis(HEADER_MILLIS - 50));
        }
    }
}
