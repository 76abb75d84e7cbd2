package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestOrigin;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Header names that an origin mapping {@code _} to {@code -} (CGI, WSGI) would read as framing, hop-by-hop or
 * forwarding headers never reach it, whatever {@code limits.headers_with_underscores} says; other names with an
 * underscore are forwarded, dropped or refused as it says.
 */
@ExtendWith(LeakGuard.class)
class HeaderNameFoldingTest {
    private static final String LOOK_ALIKES = "Transfer_Encoding: chunked\r\nContent__Length: 40\r\n"
            + "Transfer---Encoding: chunked\r\nX_Forwarded_For: 6.6.6.6\r\nX-Forwarded_Host: evil.test\r\n"
            + "Proxy_Authorization: Basic Zm9v\r\n";

    @Test
    void lookAlikesAreDroppedAndOtherUnderscoresForwardedByDefault() throws Exception {
        try (TestOrigin origin = TestOrigin.start("app");
                ProxyUnderTest proxy = start(origin, "");
                RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.exchange("POST /upload HTTP/1.1\r\nHost: app.test\r\nContent-Length: 3\r\n"
                    + LOOK_ALIKES + "X_Custom: kept\r\nX--Double: kept\r\n\r\nabc");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).as("framed by the real Content-Length").isEqualTo("3");
            assertThat(c.exchange("GET /after HTTP/1.1\r\nHost: app.test\r\n\r\n").status()).isEqualTo(200);
            HttpHeaders seen = origin.recorded().get(0).headers();
            assertThat(seen.names()).doesNotContain("Transfer_Encoding", "Content__Length", "Transfer---Encoding",
                    "X_Forwarded_For", "X-Forwarded_Host", "Proxy_Authorization");
            assertThat(seen.get("X_Custom")).isEqualTo("kept");
            assertThat(seen.get("X--Double")).isEqualTo("kept");
            assertThat(seen.getAll("x-forwarded-for")).containsExactly("127.0.0.1");
            assertThat(seen.get("x-forwarded-host")).isEqualTo("app.test");
        }
    }

    @Test
    void dropRemovesOtherUnderscoreNames() throws Exception {
        try (TestOrigin origin = TestOrigin.start("app");
                ProxyUnderTest proxy = start(origin, "limits: { headers_with_underscores: drop }\n");
                RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.exchange("GET /echo HTTP/1.1\r\nHost: app.test\r\n" + LOOK_ALIKES
                    + "X_Custom: gone\r\nX-Custom: kept\r\n\r\n");
            assertThat(r.status()).isEqualTo(200);
            HttpHeaders seen = origin.recorded().get(0).headers();
            assertThat(seen.names()).doesNotContain("X_Custom", "Transfer_Encoding", "X_Forwarded_For");
            assertThat(seen.get("X-Custom")).isEqualTo("kept");
        }
    }

    @Test
    void rejectAnswers400AndForwardsNothing() throws Exception {
        try (TestOrigin origin = TestOrigin.start("app");
                ProxyUnderTest proxy = start(origin, "limits: { headers_with_underscores: reject }\n")) {
            try (RawHttp c = proxy.raw()) {
                c.send("GET /refused HTTP/1.1\r\nHost: app.test\r\nX_Custom: 1\r\n\r\n"
                        + "GET /smuggled HTTP/1.1\r\nHost: app.test\r\n\r\n");
                RawHttp.Response r = c.read(false);
                assertThat(r.status()).isEqualTo(400);
                assertThat(r.header("connection")).isEqualToIgnoringCase("close");
                assertThat(c.closedByPeer()).isTrue();
            }
            try (RawHttp c = proxy.raw()) {
                // Look-alikes alone are dropped, not refused: they are never the client's to send.
                RawHttp.Response r = c.exchange("GET /lookalikes HTTP/1.1\r\nHost: app.test\r\n" + LOOK_ALIKES
                        + "\r\n");
                assertThat(r.status()).isEqualTo(200);
            }
            assertThat(origin.recorded()).extracting(TestOrigin.Recorded::uri).containsExactly("/lookalikes");
            assertThat(origin.recorded().get(0).headers().names()).doesNotContain("Transfer_Encoding");
        }
    }

    private static ProxyUnderTest start(TestOrigin origin, String extra) throws Exception {
        return ProxyUnderTest.start(extra + """
                listeners: [ { address: 127.0.0.1:0 } ]
                upstreams: { app: { servers: [ { address: %s } ] } }
                routes: [ { match: { path_prefix: / }, upstream: app } ]
                """.formatted(origin.address()), 1);
    }
}
