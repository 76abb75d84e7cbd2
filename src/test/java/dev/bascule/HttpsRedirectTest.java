package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.config.BasculeConfig;
import dev.bascule.config.CertificateConfig;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestCerts;
import dev.bascule.testing.TestOrigin;
import dev.bascule.testing.TlsClients;
import dev.bascule.testing.TlsConfigs;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code redirect_https} on a plain listener, HSTS only over TLS, and switching a listener's TLS by reload. */
@ExtendWith(LeakGuard.class)
class HttpsRedirectTest {
    @TempDir
    Path dir;
    private TestOrigin origin;
    private ProxyUnderTest proxy;

    @BeforeEach
    void start() throws Exception {
        origin = TestOrigin.start("o1");
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        origin.close();
    }

    @Test
    void everyRequestGets308ToHttpsWithoutThePort() throws Exception {
        proxy = ProxyUnderTest.start(TlsConfigs.redirectHttps(TlsConfigs.simple(origin.address())), 1);

        try (RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.exchange("GET /a/b?c=1 HTTP/1.1\r\nHost: Example.test:8080\r\n\r\n");
            assertThat(r.status()).isEqualTo(308);
            assertThat(r.header("location")).isEqualTo("https://Example.test/a/b?c=1");

            RawHttp.Response second = c.exchange("POST /form HTTP/1.1\r\nHost: [::1]:80\r\nContent-Length: 0\r\n\r\n");
            assertThat(second.status()).as("same keep-alive connection").isEqualTo(308);
            assertThat(second.header("location")).isEqualTo("https://[::1]/form");
        }
        assertThat(origin.requests()).as("nothing forwarded").isZero();
    }

    @Test
    void requestWithoutUsableHostIs400() throws Exception {
        proxy = ProxyUnderTest.start(TlsConfigs.redirectHttps(TlsConfigs.simple(origin.address())), 1);

        try (RawHttp c = proxy.raw()) {
            assertThat(c.exchange("GET / HTTP/1.0\r\n\r\n").status()).isEqualTo(400);
        }
        try (RawHttp c = proxy.raw()) {
            assertThat(c.exchange("GET / HTTP/1.1\r\nHost: evil.test/x@y\r\n\r\n").status()).isEqualTo(400);
        }
    }

    @Test
    void requestWithBodyIsAnsweredAndTheConnectionClosed() throws Exception {
        proxy = ProxyUnderTest.start(TlsConfigs.redirectHttps(TlsConfigs.simple(origin.address())), 1);

        try (RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.exchange("POST /up HTTP/1.1\r\nHost: site.test\r\nContent-Length: 5\r\n\r\nhello");
            assertThat(r.status()).isEqualTo(308);
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void hstsIsNotSentOverPlainHttp() throws Exception {
        BasculeConfig config = TlsConfigs.withListener(TlsConfigs.simple(origin.address()), 0,
                l -> new dev.bascule.config.ListenerConfig(l.name(), l.address(), null, false, "max-age=60",
                        l.protocols()));
        proxy = ProxyUnderTest.start(config, 1);

        assertThat(proxy.get("site.test", "/").headers().firstValue("strict-transport-security")).isEmpty();
    }

    @Test
    void reloadTurningTlsOnRebindsTheListener() throws Exception {
        BasculeConfig plain = TlsConfigs.simple(origin.address());
        proxy = ProxyUnderTest.start(plain, 1);
        assertThat(proxy.get("site.test", "/").statusCode()).isEqualTo(200);

        TestCerts.Ca ca = TestCerts.newCa("CA");
        CertificateConfig cert = ca.issue("site.test", List.of("site.test"), List.of("127.0.0.1")).write(dir, "site");
        proxy.bascule().control().reload(TlsConfigs.tls(plain, null, cert)).get(10, TimeUnit.SECONDS);

        try (SSLSocket s = TlsClients.connect(ca.clientContext(), proxy.address(), "site.test")) {
            assertThat(TlsClients.peerSubject(s)).isEqualTo("CN=site.test");
            assertThat(new RawHttp(s).exchange("GET / HTTP/1.1\r\nHost: site.test\r\n\r\n").status()).isEqualTo(200);
        }
    }
}
