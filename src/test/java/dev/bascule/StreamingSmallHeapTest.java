package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.TestOrigin;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bodies far larger than the heap stream through: this class runs in a JVM with {@code -Xmx128m} (see the pom),
 * so a proxy that held a whole 100 MiB body would fail with OutOfMemoryError.
 */
@ExtendWith(LeakGuard.class)
class StreamingSmallHeapTest {
    private static final long MIB = 1024 * 1024;
    private TestOrigin origin;
    private ProxyUnderTest proxy;

    @BeforeEach
    void start() throws Exception {
        origin = TestOrigin.start("big");
        proxy = ProxyUnderTest.start("""
                listeners: [ { address: 127.0.0.1:0 } ]
                upstreams: { big: { servers: [ { address: %s } ] } }
                routes: [ { upstream: big } ]
                """.formatted(origin.address()), 2);
    }

    @AfterEach
    void stop() {
        proxy.close();
        origin.close();
    }

    @Test
    void streams100MiBResponse() throws Exception {
        assertThat(Runtime.getRuntime().maxMemory()).as("runs with a small heap").isLessThan(200 * MIB);
        for (String path : new String[] {"/bytes?n=", "/chunked?n="}) {
            HttpRequest req = HttpRequest.newBuilder(proxy.uri(path + (100 * MIB)))
                    .timeout(Duration.ofSeconds(60)).build();
            HttpResponse<InputStream> r = proxy.client().send(req, HttpResponse.BodyHandlers.ofInputStream());
            assertThat(r.statusCode()).isEqualTo(200);
            long total = 0;
            long mismatches = 0;
            byte[] buf = new byte[65536];
            try (InputStream in = r.body()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    for (int i = 0; i < n; i += 4096) {
                        if (buf[i] != (byte) ((total + i) & 0x7f)) {
                            mismatches++;
                        }
                    }
                    total += n;
                }
            }
            assertThat(total).isEqualTo(100 * MIB);
            assertThat(mismatches).as("bytes arrive intact and in order").isZero();
        }
    }

    @Test
    void streams50MiBUpload() throws Exception {
        long size = 50 * MIB;
        InputStream body = new InputStream() {
            long left = size;

            @Override
            public int read() {
                return left-- > 0 ? 'u' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'u');
                left -= n;
                return n;
            }
        };
        HttpRequest fixed = HttpRequest.newBuilder(proxy.uri("/upload"))
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> body), size))
                .build();
        HttpResponse<String> r = proxy.client().send(fixed, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(Long.toString(size));
        assertThat(origin.bytesUploaded()).isEqualTo(size);
    }
}
