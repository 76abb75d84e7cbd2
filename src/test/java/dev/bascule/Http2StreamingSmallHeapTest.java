package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.config.CertificateConfig;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.TestCerts;
import dev.bascule.testing.TestOrigin;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 bodies far larger than the heap, through Bascule between the JDK's client (HTTP/2 over TLS) and an
 * HTTP/1.1 origin, checked byte for byte with a CRC-32 on each side. This class runs in a JVM with {@code
 * -Xmx128m} (see the pom) that holds the client, Bascule and the origin: Bascule can only pass 100 MiB through
 * if HTTP/2 flow control is tied to back-pressure, each stream's window opened as the other side takes the bytes.
 */
@ExtendWith(LeakGuard.class)
class Http2StreamingSmallHeapTest {
    private static final long MIB = 1024 * 1024;
    @TempDir
    Path dir;
    private TestCerts.Ca ca;
    private TestOrigin origin;
    private ProxyUnderTest proxy;

    @BeforeEach
    void start() throws Exception {
        ca = TestCerts.newCa("Bascule Test CA");
        CertificateConfig files = ca.issue("localhost", List.of("localhost"), List.of("127.0.0.1")).write(dir, "site");
        origin = TestOrigin.start("big");
        proxy = ProxyUnderTest.start("""
                listeners:
                  - address: 127.0.0.1:0
                    tls: { cert: "%s", key: "%s" }
                upstreams: { big: { servers: [ { address: %s } ] } }
                routes: [ { upstream: big } ]
                """.formatted(files.cert(), files.key(), origin.address()), 2);
    }

    @AfterEach
    void stop() {
        proxy.close();
        origin.close();
    }

    private HttpClient http2() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(ca.clientContext())
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    private URI uri(String path) {
        return URI.create("https://localhost:" + proxy.port() + path);
    }

    @Test
    void streams100MiBDownload() throws Exception {
        assertThat(Runtime.getRuntime().maxMemory()).as("runs with a small heap").isLessThan(200 * MIB);
        long size = 100 * MIB;
        HttpResponse<InputStream> r = http2().send(HttpRequest.newBuilder(uri("/bytes?n=" + size))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.statusCode()).isEqualTo(200);
        CRC32 received = new CRC32();
        long total = 0;
        long mismatches = 0;
        byte[] buf = new byte[65536];
        try (InputStream in = r.body()) {
            for (int n; (n = in.read(buf)) > 0; ) {
                received.update(buf, 0, n);
                for (int i = 0; i < n; i++) {
                    if (buf[i] != (byte) ((total + i) & 0x7f)) { // the origin's body: byte i is i & 0x7f
                        mismatches++;
                    }
                }
                total += n;
            }
        }
        assertThat(total).isEqualTo(size);
        assertThat(mismatches).as("bytes that differ from what the origin sent").isZero();
        assertThat(received.getValue()).as("CRC-32 of the body").isEqualTo(originBodyCrc(size));
    }

    /** The CRC-32 of the origin's {@code /bytes?n=size} body, computed the way the origin makes it. */
    private static long originBodyCrc(long size) {
        byte[] pattern = new byte[65536];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = (byte) (i & 0x7f);
        }
        CRC32 crc = new CRC32();
        for (long done = 0; done < size; done += pattern.length) {
            crc.update(pattern, 0, (int) Math.min(pattern.length, size - done)); // 65536 is a multiple of 128
        }
        return crc.getValue();
    }

    @Test
    void streams50MiBUpload() throws Exception {
        long size = 50 * MIB;
        CRC32 sent = new CRC32();
        InputStream body = new InputStream() {
            /** A xorshift sequence, so a byte lost, doubled or moved changes the checksum. */
            long state = 0x9E3779B97F4A7C15L;
            long left = size;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                for (int i = 0; i < n; i++) {
                    state ^= state << 13;
                    state ^= state >>> 7;
                    state ^= state << 17;
                    b[off + i] = (byte) state;
                }
                sent.update(b, off, n);
                left -= n;
                return n;
            }
        };
        HttpRequest req = HttpRequest.newBuilder(uri("/upload")).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> body),
                        size))
                .build();
        HttpResponse<String> r = http2().send(req, HttpResponse.BodyHandlers.ofString());
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).as("bytes the origin received").isEqualTo(Long.toString(size));
        assertThat(r.headers().firstValue("x-upload-crc32")).as("the origin's CRC-32 of what it received")
                .hasValue(Long.toHexString(sent.getValue()));
    }
}
