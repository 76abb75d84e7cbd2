package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.config.BasculeConfig;
import dev.bascule.config.CertificateConfig;
import dev.bascule.config.UpstreamTlsConfig;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.TestCerts;
import dev.bascule.testing.TestOrigin;
import dev.bascule.testing.TlsConfigs;
import dev.bascule.tls.TlsContexts;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS from Bascule to origins: verified against a CA file, by IP or by the configured SNI name; a wrong CA or
 * name is a 502 (never a hang); mutual TLS; and pooled connections never cross TLS identities.
 */
@ExtendWith(LeakGuard.class)
class UpstreamTlsTest {
    @TempDir
    Path dir;
    private TestCerts.Ca ca;
    private Path caFile;
    private Path otherCaFile;
    private TestOrigin origin;
    private ProxyUnderTest proxy;

    @BeforeEach
    void start() throws Exception {
        ca = TestCerts.newCa("Origin CA");
        caFile = ca.writeCert(dir.resolve("ca.pem"));
        otherCaFile = TestCerts.newCa("Some Other CA").writeCert(dir.resolve("other-ca.pem"));
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

    private void startOrigin(ClientAuth clientAuth) throws Exception {
        TestCerts.Issued cert = ca.issue("origin.internal", List.of("origin.internal"), List.of("127.0.0.1"));
        SslContextBuilder b = SslContextBuilder.forServer(cert.keys().getPrivate(), cert.cert());
        if (clientAuth != ClientAuth.NONE) {
            b.clientAuth(clientAuth).trustManager(ca.cert());
        }
        SslContext server = b.build();
        origin = TestOrigin.startTls("secure", server);
    }

    private HttpResponse<String> through(UpstreamTlsConfig tls) throws Exception {
        BasculeConfig config = TlsConfigs.upstreamTls(TlsConfigs.simple(origin.address()), "web", tls);
        proxy = ProxyUnderTest.start(config, 1);
        return proxy.get("site.test", "/");
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void verifiedAgainstTheCaByAddress(String provider) throws Exception {
        System.setProperty(TlsContexts.PROVIDER_PROPERTY, provider);
        startOrigin(ClientAuth.NONE);

        HttpResponse<String> r = through(new UpstreamTlsConfig(true, caFile, null, null, null));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-origin")).hasValue("secure");
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void verifiedAgainstTheCaBySniName(String provider) throws Exception {
        System.setProperty(TlsContexts.PROVIDER_PROPERTY, provider);
        startOrigin(ClientAuth.NONE);

        HttpResponse<String> r = through(new UpstreamTlsConfig(true, caFile, "origin.internal", null, null));

        assertThat(r.statusCode()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void wrongCaIs502(String provider) throws Exception {
        System.setProperty(TlsContexts.PROVIDER_PROPERTY, provider);
        startOrigin(ClientAuth.NONE);

        HttpResponse<String> r = through(new UpstreamTlsConfig(true, otherCaFile, null, null, null));

        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(origin.requests()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void wrongNameIs502(String provider) throws Exception {
        System.setProperty(TlsContexts.PROVIDER_PROPERTY, provider);
        startOrigin(ClientAuth.NONE);

        HttpResponse<String> r = through(new UpstreamTlsConfig(true, caFile, "someone-else.internal", null, null));

        assertThat(r.statusCode()).isEqualTo(502);
    }

    @Test
    void verifyOffAcceptsAnyCertificate() throws Exception {
        startOrigin(ClientAuth.NONE);

        HttpResponse<String> r = through(new UpstreamTlsConfig(false, otherCaFile, null, null, null));

        assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void plainHttpToATlsOriginIs502() throws Exception {
        startOrigin(ClientAuth.NONE);
        proxy = ProxyUnderTest.start(TlsConfigs.simple(origin.address()), 1);

        assertThat(proxy.get("site.test", "/").statusCode()).isEqualTo(502);
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void mutualTls(String provider) throws Exception {
        System.setProperty(TlsContexts.PROVIDER_PROPERTY, provider);
        startOrigin(ClientAuth.REQUIRE);
        CertificateConfig client = ca.issue("bascule", List.of("bascule.internal"), List.of()).write(dir, "client");
        BasculeConfig base = TlsConfigs.parse("""
                listeners:
                  - address: 127.0.0.1:0
                upstreams:
                  with-cert:
                    servers: [ { address: %s } ]
                  without-cert:
                    servers: [ { address: %s } ]
                routes:
                  - match: { path_prefix: /with }
                    upstream: with-cert
                  - match: { path_prefix: / }
                    upstream: without-cert
                """.formatted(origin.address(), origin.address()));
        BasculeConfig config = TlsConfigs.upstreamTls(base, "with-cert",
                new UpstreamTlsConfig(true, caFile, null, client.cert(), client.key()));
        config = TlsConfigs.upstreamTls(config, "without-cert", new UpstreamTlsConfig(true, caFile, null, null, null));
        proxy = ProxyUnderTest.start(config, 1);

        assertThat(proxy.get("site.test", "/with").statusCode()).isEqualTo(200);
        assertThat(proxy.get("site.test", "/without").statusCode()).isEqualTo(502);
    }

    @Test
    void pooledConnectionsNeverCrossTlsIdentities() throws Exception {
        startOrigin(ClientAuth.NONE);
        // Two upstreams on the same address: one trusts the origin's CA, one does not. One event loop, so a
        // connection pooled by the first would be handed to the second if the pool key ignored TLS.
        BasculeConfig base = TlsConfigs.parse("""
                listeners:
                  - address: 127.0.0.1:0
                upstreams:
                  trusting:
                    servers: [ { address: %s } ]
                  distrusting:
                    servers: [ { address: %s } ]
                routes:
                  - match: { path_prefix: /trusting }
                    upstream: trusting
                  - match: { path_prefix: / }
                    upstream: distrusting
                """.formatted(origin.address(), origin.address()));
        BasculeConfig config = TlsConfigs.upstreamTls(base, "trusting",
                new UpstreamTlsConfig(true, caFile, null, null, null));
        config = TlsConfigs.upstreamTls(config, "distrusting", new UpstreamTlsConfig(true, otherCaFile, null, null, null));
        proxy = ProxyUnderTest.start(config, 1);

        assertThat(proxy.get("site.test", "/trusting").statusCode()).isEqualTo(200);
        assertThat(proxy.get("site.test", "/other").statusCode()).isEqualTo(502);
        assertThat(proxy.get("site.test", "/trusting").statusCode()).isEqualTo(200);
        assertThat(origin.connectionsAccepted()).as("the trusted connection was pooled and reused").isEqualTo(2);
    }
}
