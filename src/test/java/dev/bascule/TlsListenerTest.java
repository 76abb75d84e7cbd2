package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bascule.config.BasculeConfig;
import dev.bascule.config.CertificateConfig;
import dev.bascule.config.ConfigException;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestCerts;
import dev.bascule.testing.TestOrigin;
import dev.bascule.testing.TlsClients;
import dev.bascule.testing.TlsConfigs;
import dev.bascule.tls.TlsContexts;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS termination end to end over real sockets: HTTPS to a plain origin, SNI certificate choice, protocol and
 * suite policy, ALPN, HSTS, certificate reload without dropping connections, bad files rejected. Subclasses run it
 * with the OpenSSL engine and with the JDK's.
 */
@ExtendWith(LeakGuard.class)
abstract class TlsListenerTest {
    private static final String HSTS = "max-age=63072000; includeSubDomains";

    private final String provider;
    @TempDir
    Path dir;
    private TestCerts.Ca ca;
    private TestCerts.Issued a;
    private TestCerts.Issued b;
    private TestOrigin origin;
    private ProxyUnderTest proxy;
    private BasculeConfig config;
    private CertificateConfig aFiles;
    private CertificateConfig bFiles;

    TlsListenerTest(String provider) {
        this.provider = provider;
    }

    @BeforeEach
    void start() throws Exception {
        System.setProperty(TlsContexts.PROVIDER_PROPERTY, provider);
        ca = TestCerts.newCa("Bascule Test CA");
        a = ca.issue("a.test", List.of("a.test", "*.a.test"), List.of("127.0.0.1"));
        b = ca.issue("b.test", List.of("b.test"), List.of("127.0.0.1"));
        aFiles = a.write(dir, "a");
        bFiles = b.write(dir, "b");
        origin = TestOrigin.start("o1");
        config = TlsConfigs.tls(TlsConfigs.simple(origin.address()), HSTS, aFiles, bFiles);
        proxy = ProxyUnderTest.start(config, 2);
    }

    @AfterEach
    void stop() {
        System.clearProperty(TlsContexts.PROVIDER_PROPERTY);
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    private HttpResponse<String> httpsGet(String path) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(ca.clientContext())
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + proxy.port() + path))
                .timeout(Duration.ofSeconds(10)).GET().build();
        return client.send(req, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void httpsRequestReachesPlainOriginWithForwardedProtoHttps() throws Exception {
        HttpResponse<String> r = httpsGet("/echo-headers");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-origin")).hasValue("o1");
        assertThat(origin.recorded()).last()
                .satisfies(rec -> assertThat(rec.headers().get("x-forwarded-proto")).isEqualTo("https"));
    }

    @Test
    void hstsHeaderOnTlsResponses() throws Exception {
        HttpResponse<String> r = httpsGet("/");

        assertThat(r.headers().firstValue("strict-transport-security")).hasValue(HSTS);
    }

    @Test
    void sniPicksTheCertificateAndFallsBackToTheFirst() throws Exception {
        // A fresh client context per connection: the JDK client caches sessions by host and port, and resuming
        // would replay the first connection's SNI and certificate.
        try (SSLSocket s = TlsClients.connect(ca.clientContext(), proxy.address(), "b.test")) {
            assertThat(TlsClients.peerSubject(s)).isEqualTo("CN=b.test");
        }
        try (SSLSocket s = TlsClients.connect(ca.clientContext(), proxy.address(), "x.a.test")) {
            assertThat(TlsClients.peerSubject(s)).as("wildcard").isEqualTo("CN=a.test");
        }
        try (SSLSocket s = TlsClients.connect(ca.clientContext(), proxy.address(), "unknown.test")) {
            assertThat(TlsClients.peerSubject(s)).as("unknown name").isEqualTo("CN=a.test");
        }
        try (SSLSocket s = TlsClients.connect(ca.clientContext(), proxy.address(), null)) {
            assertThat(TlsClients.peerSubject(s)).as("no SNI").isEqualTo("CN=a.test");
        }
    }

    @Test
    void tls12AndTls13AcceptedWithModernSuitesAndAlpn() throws Exception {
        SSLContext client = ca.clientContext();
        try (SSLSocket s = TlsClients.connect(client, proxy.address(), "b.test", List.of("TLSv1.2"), List.of(),
                List.of("h2", "http/1.1"))) {
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.2");
            assertThat(s.getSession().getCipherSuite()).startsWith("TLS_ECDHE_").containsAnyOf("_GCM_", "CHACHA20");
            assertThat(s.getApplicationProtocol()).as("a TLS listener offers [h2, http1] by default").isEqualTo("h2");
        }
        try (SSLSocket s = TlsClients.connect(client, proxy.address(), "b.test", List.of("TLSv1.2"), List.of(),
                List.of("http/1.1"))) {
            assertThat(s.getApplicationProtocol()).isEqualTo("http/1.1");
        }
        try (SSLSocket s = TlsClients.connect(client, proxy.address(), "b.test", List.of("TLSv1.3"), List.of(),
                List.of())) {
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.3");
            RawHttp.Response r = new RawHttp(s).exchange("GET / HTTP/1.1\r\nHost: b.test\r\n\r\n");
            assertThat(r.status()).isEqualTo(200);
        }
    }

    @Test
    void weakSuitesRefused() {
        // CBC and static-RSA suites are still enabled in the JDK client; the server must not agree to them.
        assertThatThrownBy(() -> TlsClients.connect(ca.clientContext(), proxy.address(), "a.test",
                List.of("TLSv1.2"), List.of("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256"),
                List.of()).close())
                .isInstanceOf(SSLException.class);
    }

    @Test
    void tls11AndTls10Refused() throws Exception {
        // The JDK client has TLS 1.0/1.1 disabled JVM-wide, so offer them from BoringSSL through Netty.
        org.junit.jupiter.api.Assumptions.assumeTrue(OpenSsl.isAvailable(), "needs OpenSSL for an old client");
        for (String old : List.of("TLSv1.1", "TLSv1")) {
            SslContext client = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL)
                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .protocols(old)
                    .ciphers(List.of("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"))
                    .build();
            assertThat(handshakeWithNetty(client)).as(old).isNotNull();
        }
        // and the same client with TLS 1.2 gets through: the refusal is about the version
        SslContext modern = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL)
                .trustManager(InsecureTrustManagerFactory.INSTANCE).protocols("TLSv1.2").build();
        assertThat(handshakeWithNetty(modern)).isNull();
    }

    /** Handshakes with a Netty client; returns the failure, or null on success. */
    private Throwable handshakeWithNetty(SslContext client) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            SslHandler[] handler = new SslHandler[1];
            Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            handler[0] = client.newHandler(c.alloc(), "a.test", proxy.port());
                            c.pipeline().addLast(handler[0]);
                        }
                    })
                    .connect(proxy.address()).sync().channel();
            boolean done = handler[0].handshakeFuture().await(10, TimeUnit.SECONDS);
            assertThat(done).as("handshake finished").isTrue();
            Throwable cause = handler[0].handshakeFuture().cause();
            ch.close().sync();
            return cause;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void failedHandshakesCloseOnlyThatConnection() throws Exception {
        try (RawHttp plain = proxy.raw()) {
            plain.send("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n"); // plain HTTP to a TLS port
            assertThat(plain.closedByPeer()).isTrue();
        }
        assertThatThrownBy(() -> TlsClients.connect(TestCerts.newCa("other").clientContext(), proxy.address(),
                "a.test").close()).isInstanceOf(SSLException.class); // client does not trust us
        assertThat(httpsGet("/").statusCode()).isEqualTo(200);
    }

    @Test
    void reloadSwapsCertificateForNewConnectionsAndKeepsOpenOnes() throws Exception {
        try (SSLSocket kept = TlsClients.connect(ca.clientContext(), proxy.address(), "a.test")) {
            RawHttp keptHttp = new RawHttp(kept);
            assertThat(keptHttp.exchange("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n").status()).isEqualTo(200);
            assertThat(TlsClients.peerSubject(kept)).isEqualTo("CN=a.test");

            // renew a's certificate in place, as certbot would, then reload
            TestCerts.Issued renewed = ca.issue("a-renewed.test", List.of("a.test", "*.a.test"), List.of());
            renewed.write(dir, "a");
            proxy.bascule().control().reload(config).get(10, TimeUnit.SECONDS);

            try (SSLSocket fresh = TlsClients.connect(ca.clientContext(), proxy.address(), "a.test")) {
                assertThat(TlsClients.peerSubject(fresh)).isEqualTo("CN=a-renewed.test");
                assertThat(new RawHttp(fresh).exchange("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n").status())
                        .isEqualTo(200);
            }
            RawHttp.Response again = keptHttp.exchange("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n");
            assertThat(again.status()).as("the open connection still works").isEqualTo(200);
            assertThat(again.header("x-origin")).isEqualTo("o1");
        }
    }

    @Test
    void reloadWithBrokenCertificateIsRejectedAndKeepsTheOldOne() throws Exception {
        Files.writeString(bFiles.cert(), "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n");

        assertThatThrownBy(() -> proxy.bascule().control().reload(config).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ConfigException.class)
                .hasMessageContaining(bFiles.cert().toString());
        try (SSLSocket s = TlsClients.connect(ca.clientContext(), proxy.address(), "b.test")) {
            assertThat(TlsClients.peerSubject(s)).isEqualTo("CN=b.test");
        }
    }

    @Test
    void startupWithMissingKeyFileFailsNamingIt() {
        Path missing = dir.resolve("nope.key");
        BasculeConfig bad = TlsConfigs.tls(config, null, new CertificateConfig(aFiles.cert(), missing));

        assertThatThrownBy(() -> Bascule.start(bad, 1))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void keyOfAnotherCertificateIsAConfigError() throws IOException {
        BasculeConfig bad = TlsConfigs.tls(config, null, new CertificateConfig(aFiles.cert(), bFiles.key()));

        assertThatThrownBy(() -> Bascule.start(bad, 1))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(bFiles.key().toString())
                .hasMessageContaining("does not match");
    }
}
