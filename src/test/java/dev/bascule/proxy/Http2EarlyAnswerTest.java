package dev.bascule.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawH2;
import dev.bascule.testing.TestOrigin;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A response that ends while its client is still sending the request: the stream's response arrives whole, then
 * RST_STREAM(NO_ERROR) asks the client to stop sending without discarding it (RFC 9113 8.1). The connection and
 * its other streams go on.
 */
@ExtendWith(LeakGuard.class)
class Http2EarlyAnswerTest {
    private static final long NO_ERROR = 0x0;

    private TestOrigin origin;
    private ProxyUnderTest proxy;

    @BeforeEach
    void start() throws Exception {
        origin = TestOrigin.start("web");
        proxy = ProxyUnderTest.start("""
                listeners:
                  - address: 127.0.0.1:0
                    protocols: [http1, h2c]
                upstreams:
                  web: { servers: [ { address: %s } ] }
                routes:
                  - match: { path_prefix: /small }
                    upstream: web
                    max_body_size: 1k
                  - upstream: web
                """.formatted(origin.address()), 1);
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        origin.close();
    }

    @Test
    void aLocalAnswerToAnUnfinishedUploadIsWholeThenStopsTheUpload() throws Exception {
        try (RawH2 client = new RawH2(proxy.address())) {
            Http2Headers post = RawH2.request("POST", "/small/upload").add("content-length", "100000");
            client.headers(1, post, false).data(1, new byte[1000], false).flush();

            RawH2.Frame head = client.until(RawH2.HEADERS);
            assertThat(head.streamId()).isEqualTo(1);
            assertThat(head.status()).as("over max_body_size by its Content-Length").isEqualTo(413);
            RawH2.Frame end = head.endStream() ? head : client.until(RawH2.DATA);
            while (!end.endStream()) {
                end = client.until(RawH2.DATA);
            }
            RawH2.Frame reset = client.until(RawH2.RST_STREAM);
            assertThat(reset.streamId()).isEqualTo(1);
            assertThat(reset.errorCode()).as("stop sending, the response stands").isEqualTo(NO_ERROR);

            client.get(3, "/other").flush();
            RawH2.Frame next = client.until(RawH2.HEADERS);
            assertThat(next.streamId()).isEqualTo(3);
            assertThat(next.status()).as("the connection goes on").isEqualTo(200);
        }
        assertThat(origin.requests()).as("the refused upload never went upstream").isEqualTo(1);
    }
}
