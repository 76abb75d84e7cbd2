package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.testing.H2Origin;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Large bodies cross an HTTP/2 origin connection byte for byte, in a JVM with {@code -Xmx128m} (see the pom): the
 * upload is paced by the origin's flow-control window, the download by Bascule's, so neither is ever held whole.
 * (The origin checks the upload itself: the JDK client reads no response before its request is sent, so an echo
 * of more than the buffers hold would stall any proxy.)
 */
@ExtendWith(LeakGuard.class)
class Http2OriginStreamingSmallHeapTest {
    private static final long MIB = 1024 * 1024;
    private H2Origin origin;
    private ProxyUnderTest proxy;

    @BeforeEach
    void start() throws Exception {
        origin = H2Origin.start("big", 100);
        proxy = ProxyUnderTest.start("""
                listeners: [ { address: 127.0.0.1:0 } ]
                upstreams: { big: { protocol: h2c, servers: [ { address: %s } ] } }
                routes: [ { upstream: big } ]
                """.formatted(origin.address()), 2);
    }

    @AfterEach
    void stop() {
        proxy.close();
        origin.close();
    }

    @Test
    void downloads50MiBByteForByte() throws Exception {
        assertThat(Runtime.getRuntime().maxMemory()).as("runs with a small heap").isLessThan(200 * MIB);
        long size = 50 * MIB;
        HttpRequest req = HttpRequest.newBuilder(proxy.uri("/bytes/" + size)).timeout(Duration.ofSeconds(60)).build();
        HttpResponse<InputStream> r = proxy.client().send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-length")).hasValue(Long.toString(size));
        long total = 0;
        long mismatches = 0;
        byte[] buf = new byte[65536];
        try (InputStream in = r.body()) {
            for (int n; (n = in.read(buf)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] != H2Origin.patternByte(total + i)) {
                        mismatches++;
                    }
                }
                total += n;
            }
        }
        assertThat(total).isEqualTo(size);
        assertThat(mismatches).as("every byte arrives intact and in order").isZero();
    }

    @Test
    void uploads10MiBByteForByte() throws Exception {
        long size = 10 * MIB;
        HttpRequest req = HttpRequest.newBuilder(proxy.uri("/verify"))
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(size)), size))
                .build();
        HttpResponse<String> r = proxy.client().send(req, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).as("the origin got every byte, in order").isEqualTo("bytes=" + size + " mismatches=0");
    }

    /** {@code size} bytes of {@link H2Origin#patternByte}, made as they are read. */
    private static final class PatternStream extends InputStream {
        private final long size;
        private long at;

        PatternStream(long size) {
            this.size = size;
        }

        @Override
        public int read() {
            return at < size ? H2Origin.patternByte(at++) & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (at >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - at);
            for (int i = 0; i < n; i++) {
                b[off + i] = H2Origin.patternByte(at + i);
            }
            at += n;
            return n;
        }
    }
}
