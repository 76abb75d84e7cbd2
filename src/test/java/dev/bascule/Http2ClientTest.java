package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.config.CertificateConfig;
import dev.bascule.testing.H2cClient;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestCerts;
import dev.bascule.testing.TestOrigin;
import dev.bascule.testing.TlsClients;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 from clients, end to end over real sockets: the JDK's client over TLS with ALPN, and a Netty h2c client
 * with prior knowledge on a plain port that also serves HTTP/1.1, in front of an HTTP/1.1 origin.
 */
@ExtendWith(LeakGuard.class)
class Http2ClientTest {
    @TempDir
    Path dir;
    private TestCerts.Ca ca;
    private TestOrigin origin;
    private ProxyUnderTest proxy;

    @BeforeEach
    void start() throws Exception {
        ca = TestCerts.newCa("Bascule Test CA");
        CertificateConfig files = ca.issue("localhost", List.of("localhost"), List.of("127.0.0.1")).write(dir, "site");
        origin = TestOrigin.start("o1");
        proxy = ProxyUnderTest.start("""
                listeners:
                  - name: plain
                    address: 127.0.0.2:0   # all of 127/8 is loopback; two listeners on port 0 need two addresses
                    protocols: [http1, h2c]
                  - name: secure
                    address: 127.0.0.1:0
                    tls: { cert: "%s", key: "%s" }
                limits: { h2_max_concurrent_streams: 50 }
                timeouts: { client_body_idle: 700ms, response_header: 2s }
                upstreams:
                  web: { servers: [ { address: %s } ] }
                routes:
                  - match: { path_prefix: /small }
                    upstream: web
                    strip_prefix: true
                    max_body_size: 1k
                  - match: { path_prefix: / }
                    upstream: web
                """.formatted(files.cert(), files.key(), origin.address()), 2);
    }

    @AfterEach
    void stop() {
        proxy.close();
        origin.close();
    }

    private InetSocketAddress plain() {
        return proxy.bascule().listenerAddresses().get(0);
    }

    private InetSocketAddress secure() {
        return proxy.bascule().listenerAddresses().get(1);
    }

    private HttpClient jdkH2() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(ca.clientContext())
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void theJdkClientSpeaksHttp2OverTlsToAnHttp11Origin() throws Exception {
        HttpClient client = jdkH2();
        URI uri = URI.create("https://localhost:" + secure().getPort() + "/bytes?n=100000");
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).hasSize(100_000);
        assertThat(r.headers().firstValue("x-origin")).hasValue("o1");
        assertThat(r.headers().firstValue("via")).hasValue("1.1 bascule");

        TestOrigin.Recorded seen = origin.recorded().get(0);
        assertThat(seen.version()).as("the origin speaks HTTP/1.1").isEqualTo("HTTP/1.1");
        assertThat(seen.headers().get("host")).isEqualTo("localhost:" + secure().getPort());
        assertThat(seen.headers().get("via")).as("the protocol received, RFC 9110 7.6.3").isEqualTo("2 bascule");
        assertThat(seen.headers().get("x-forwarded-proto")).isEqualTo("https");
        assertThat(seen.headers().get("x-forwarded-for")).isEqualTo("127.0.0.1");
        assertThat(seen.headers().names()).noneMatch(n -> n.startsWith("x-http2-") || n.startsWith(":"));
    }

    @Test
    void uploadsAndManyConcurrentStreamsOnOneConnection() throws Exception {
        HttpClient client = jdkH2();
        byte[] body = new byte[3 * 1024 * 1024];
        URI upload = URI.create("https://localhost:" + secure().getPort() + "/upload");
        HttpResponse<String> up = client.send(HttpRequest.newBuilder(upload)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(up.body()).contains(Integer.toString(body.length));

        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            URI uri = URI.create("https://localhost:" + secure().getPort() + "/delay?ms=50&i=" + i);
            all.add(client.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> f : all) {
            HttpResponse<String> r = f.get(20, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        }
    }

    @Test
    void alpnOffersH2ThenHttp11AndAClientWithoutH2GetsHttp11() throws Exception {
        try (SSLSocket s = TlsClients.connect(ca.clientContext(), secure(), "localhost", List.of(), List.of(),
                List.of("h2", "http/1.1"))) {
            assertThat(s.getApplicationProtocol()).isEqualTo("h2");
        }
        HttpClient http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(ca.clientContext()).build();
        HttpResponse<String> r = http11.send(HttpRequest.newBuilder(
                URI.create("https://localhost:" + secure().getPort() + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void h2cWithPriorKnowledgeAndHttp11ShareThePlainPort() throws Exception {
        try (H2cClient h2c = new H2cClient(plain())) {
            H2cClient.Response r = h2c.get("app.test", "/bytes?n=5000");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).hasSize(5000);
            H2cClient.Response post = h2c.send(HttpMethod.POST, "app.test", "/upload", new byte[70_000])
                    .get(10, TimeUnit.SECONDS);
            assertThat(post.text()).contains("70000");
            assertThat(origin.recorded().get(0).headers().get("x-forwarded-proto")).isEqualTo("http");
        }
        try (RawHttp raw = new RawHttp(plain())) {
            RawHttp.Response r = raw.exchange("GET / HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(r.status()).isEqualTo(200);
        }
    }

    @Test
    void lookAlikesOfFramingAndForwardingHeadersAreDroppedOnHttp2Too() throws Exception {
        try (H2cClient h2c = new H2cClient(plain())) {
            H2cClient.Response r = h2c.get("app.test", "/", "transfer_encoding", "chunked", "x_forwarded_for",
                    "10.9.9.9", "content__length", "5", "x_custom", "kept");
            assertThat(r.status()).isEqualTo(200);
        }
        TestOrigin.Recorded seen = origin.recorded().get(0);
        assertThat(seen.headers().names()).doesNotContain("transfer_encoding", "x_forwarded_for", "content__length");
        assertThat(seen.headers().get("x_custom")).as("headers_with_underscores: allow").isEqualTo("kept");
        assertThat(seen.headers().get("x-forwarded-for")).isEqualTo("127.0.0.1");
    }

    @Test
    void aStalledUploadIsAbandonedAfterClientBodyIdle() throws Exception {
        try (H2cClient h2c = new H2cClient(plain())) {
            long start = System.nanoTime();
            H2cClient.Response r = h2c.sendHeaders(new DefaultHttp2Headers().method("POST").scheme("http")
                    .authority("app.test").path("/upload").add("content-length", "10"), false)
                    .get(10, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(408);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(600L, 5000L);
            assertThat(h2c.get("app.test", "/").status()).as("the connection carries on").isEqualTo(200);
        }
    }

    @Test
    void aBodyThatDeclaresNoLengthIsHeldToTheRoutesMaxBodySizeAsItStreams() throws Exception {
        try (H2cClient h2c = new H2cClient(plain())) {
            // no content-length: only the DATA frames tell the size (RFC 9113 8.1.1)
            H2cClient.Response over = h2c.send(HttpMethod.POST, "app.test", "/small/upload", new byte[1025])
                    .get(10, TimeUnit.SECONDS);
            assertThat(over.status()).isEqualTo(413);
            H2cClient.Response at = h2c.send(HttpMethod.POST, "app.test", "/small/upload", new byte[1024])
                    .get(10, TimeUnit.SECONDS);
            assertThat(at.status()).as("exactly at the limit").isEqualTo(200);
            assertThat(at.text()).contains("1024");
        }
    }

    @Test
    void aResponseHeadLaterThanResponseHeaderIs504AndTheConnectionCarriesOn() throws Exception {
        try (H2cClient h2c = new H2cClient(plain())) {
            long start = System.nanoTime();
            assertThat(h2c.get("app.test", "/delay?ms=5000").status()).isEqualTo(504);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(1900L, 4900L);
            assertThat(h2c.get("app.test", "/").status()).isEqualTo(200);
        }
    }

    @Test
    void localAnswersEndTheStreamNotTheConnection() throws Exception {
        try (H2cClient h2c = new H2cClient(plain())) {
            H2cClient.Response bad = h2c.sendHeaders(new DefaultHttp2Headers().method("GET").scheme("http")
                    .authority("app.test").path("/x").add("host", "other.test")).get(10, TimeUnit.SECONDS);
            assertThat(bad.status()).as("host differs from :authority, RFC 9113 8.3.1").isEqualTo(400);
            H2cClient.Response same = h2c.sendHeaders(new DefaultHttp2Headers().method("GET").scheme("http")
                    .authority("app.test").path("/").add("host", "app.test")).get(10, TimeUnit.SECONDS);
            assertThat(same.status()).as("the same host twice is well formed").isEqualTo(200);
            assertThat(h2c.get("app.test", "/").status()).as("the connection carries on").isEqualTo(200);
        }
    }

    @Test
    void aStreamTheClientResetsIsCancelledUpstream() throws Exception {
        try (H2cClient h2c = new H2cClient(plain())) {
            CompletableFuture<H2cClient.Response> slow = h2c.send(HttpMethod.GET, "app.test",
                    "/slow-stream?ms=5000&chunks=50", null);
            await().atMost(Duration.ofSeconds(5)).until(() -> origin.openConnections() == 1);
            h2c.channel().close(); // every stream ends with the connection
            await().atMost(Duration.ofSeconds(5)).until(() -> origin.openConnections() == 0);
            assertThat(slow).isCompletedExceptionally();
        }
    }

    @Test
    void gracefulShutdownSendsGoAwayAndLetsTheStreamInFlightFinish() throws Exception {
        H2cClient h2c = new H2cClient(plain());
        try {
            CompletableFuture<H2cClient.Response> inFlight = h2c.send(HttpMethod.GET, "app.test", "/delay?ms=500",
                    null);
            await().atMost(Duration.ofSeconds(5)).until(() -> origin.requests() == 1);
            CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(proxy.bascule()::shutdownGracefully);
            assertThat(h2c.goAway.get(5, TimeUnit.SECONDS).errorCode()).isZero();
            assertThat(inFlight.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
            assertThat(stopped.get(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            h2c.close();
        }
    }
}
