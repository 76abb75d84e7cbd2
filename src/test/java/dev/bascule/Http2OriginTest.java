package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.testing.H2Origin;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestCerts;
import dev.bascule.testing.TestOrigin;
import dev.bascule.tls.TlsContexts;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Origins spoken to in HTTP/2 ({@code protocol: h2c} and {@code h2}) by an HTTP/1.1 client through Bascule: a
 * Netty HTTP/2 server as the origin, the JDK HttpClient or raw sockets as the client. Requests and bodies cross
 * both ways, headers are translated by the RFCs, trailers reach the client as chunked trailers, and an origin that
 * does not select h2 by ALPN is a failed connect.
 */
@ExtendWith(LeakGuard.class)
class Http2OriginTest {
    @TempDir
    Path dir;
    private H2Origin origin;
    private TestOrigin http1Origin;
    private ProxyUnderTest proxy;

    @AfterEach
    void stop() {
        System.clearProperty(TlsContexts.PROVIDER_PROPERTY);
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
        if (http1Origin != null) {
            http1Origin.close();
        }
    }

    /** Bascule with one upstream {@code app} speaking {@code protocol} to {@code address}. */
    private void startProxy(String protocol, String address, String tls) throws Exception {
        proxy = ProxyUnderTest.start("""
                listeners: [ { address: 127.0.0.1:0 } ]
                upstreams:
                  app:
                    protocol: %s
                    servers: [ { address: %s } ]
                %s
                routes: [ { upstream: app } ]
                """.formatted(protocol, address, tls == null ? "" : "    tls: " + tls), 2);
    }

    /**
     * An origin of {@code protocol}: h2c, or h2 with a certificate for 127.0.0.1 signed by a CA Bascule trusts
     * (h2-jdk: with the JDK's TLS engine in Bascule rather than OpenSSL).
     */
    private void start(String protocol) throws Exception {
        if (protocol.equals("h2-jdk")) {
            System.setProperty(TlsContexts.PROVIDER_PROPERTY, "jdk");
        }
        if (protocol.equals("h2c")) {
            origin = H2Origin.start("h2o", 100);
            startProxy("h2c", origin.address(), null);
            return;
        }
        TestCerts.Ca ca = TestCerts.newCa("Origin CA");
        Path caFile = ca.writeCert(dir.resolve("ca.pem"));
        TestCerts.Issued cert = ca.issue("origin.internal", List.of("origin.internal"), List.of("127.0.0.1"));
        origin = H2Origin.startTls("h2o", cert.keys().getPrivate(), cert.cert(), 100);
        startProxy("h2", origin.address(), "{ ca: " + caFile + " }");
    }

    private HttpResponse<byte[]> post(String path, byte[] body) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(proxy.uri(path))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return proxy.client().send(req, HttpResponse.BodyHandlers.ofByteArray());
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2c", "h2", "h2-jdk"})
    void getAndPostEchoCrossAnHttp2Origin(String protocol) throws Exception {
        start(protocol);

        HttpResponse<String> get = proxy.get("app.test", "/");
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo("h2o");
        assertThat(get.headers().firstValue("x-origin")).hasValue("h2o");
        assertThat(get.headers().firstValue("via")).as("the response arrived in HTTP/2").hasValue("2 bascule");

        HttpResponse<byte[]> small = post("/echo", "hello body".getBytes(StandardCharsets.UTF_8));
        assertThat(small.statusCode()).isEqualTo(200);
        assertThat(new String(small.body(), StandardCharsets.UTF_8)).isEqualTo("hello body");

        byte[] large = new byte[300 * 1024]; // several times a stream's flow-control window
        new Random(7).nextBytes(large);
        HttpResponse<byte[]> echoed = post("/echo", large);
        assertThat(echoed.statusCode()).isEqualTo(200);
        assertThat(echoed.body()).isEqualTo(large);

        assertThat(origin.connectionsAccepted()).as("one connection per event loop at most").isLessThanOrEqualTo(2);
    }

    @Test
    void headersAreTranslatedForHttp2() throws Exception {
        start("h2c");
        try (RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.exchange("GET /headers HTTP/1.1\r\nHost: App.Test:8080\r\n"
                    + "Connection: keep-alive, X-Hop\r\nKeep-Alive: timeout=5\r\nX-Hop: gone\r\n"
                    + "TE: trailers, deflate;q=0.5\r\nX-Custom: Value\r\nCookie: a=1; b=2\r\n\r\n");
            assertThat(r.status()).isEqualTo(200);
            List<String> seen = r.bodyText().lines().toList();
            assertThat(seen).contains(":method: GET", ":path: /headers", ":scheme: http",
                    ":authority: App.Test:8080", "te: trailers", "x-custom: Value", "x-forwarded-proto: http",
                    "x-forwarded-host: App.Test:8080");
            assertThat(seen).as("cookie crumbs may be split on HTTP/2 (RFC 9113 8.2.3)")
                    .containsAnyOf("cookie: a=1; b=2", "cookie: a=1");
            assertThat(seen).noneMatch(l -> l.startsWith("connection") || l.startsWith("keep-alive")
                    || l.startsWith("x-hop") || l.startsWith("host:") || l.startsWith("transfer-encoding"));
            assertThat(seen).as("names are lower case on HTTP/2").allMatch(l -> {
                String name = l.substring(0, l.indexOf(": "));
                return name.equals(name.toLowerCase(java.util.Locale.ROOT));
            });
        }
    }

    @Test
    void teOtherThanTrailersIsNotForwarded() throws Exception {
        start("h2c");
        try (RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.exchange("GET /headers HTTP/1.1\r\nHost: app.test\r\nTE: deflate\r\n"
                    + "Connection: TE\r\n\r\n");
            assertThat(r.bodyText()).doesNotContain("te:");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2c", "h2"})
    void trailersReachAnHttp11ClientAsChunkedTrailers(String protocol) throws Exception {
        start(protocol);
        try (RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.exchange("GET /trailers HTTP/1.1\r\nHost: app.test\r\nTE: trailers\r\n\r\n");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(r.header("content-type")).isEqualTo("application/grpc");
            assertThat(r.bodyText()).isEqualTo("trailed body");
            assertThat(r.trailers()).containsEntry("grpc-status", "0").containsEntry("grpc-message", "all good")
                    .containsEntry("x-checksum", "12");

            RawHttp.Response again = c.exchange("GET / HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(again.bodyText()).as("the client connection is still in step").isEqualTo("h2o");
        }
    }

    @Test
    void aStoppingProxySendsItsHttp2OriginsAGoAway() throws Exception {
        start("h2c");
        for (int i = 0; i < 4; i++) {
            assertThat(proxy.get("app.test", "/").statusCode()).isEqualTo(200);
        }
        int connections = origin.connectionsAccepted();
        assertThat(connections).isBetween(1, 2); // one per event loop at most

        proxy.close();
        proxy = null;

        await().atMost(Duration.ofSeconds(5)).until(() -> origin.connectionsOpen() == 0);
        assertThat(origin.goAwaysReceived()).as("one GOAWAY per connection, not a bare close").isEqualTo(connections);
    }

    @Test
    void anOriginThatDoesNotSelectH2IsAFailedConnect() throws Exception {
        TestCerts.Ca ca = TestCerts.newCa("Origin CA");
        Path caFile = ca.writeCert(dir.resolve("ca.pem"));
        TestCerts.Issued cert = ca.issue("origin.internal", List.of("origin.internal"), List.of("127.0.0.1"));
        // HTTP/1.1 only, without ALPN
        http1Origin = TestOrigin.startTls("old", SslContextBuilder.forServer(cert.keys().getPrivate(), cert.cert()).build());
        startProxy("h2", http1Origin.address(), "{ ca: " + caFile + " }");

        HttpResponse<String> r = proxy.get("app.test", "/");

        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(http1Origin.requests()).isZero();
    }
}
