package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.RawOrigin;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Origin responses that cannot be framed with certainty: the client gets 502 (nothing was sent to it yet) and
 * the origin connection is closed, never pooled, so the next request opens a new one.
 */
@ExtendWith(LeakGuard.class)
class OriginResponseGuardTest {

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("CL and TE", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("two CL", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok!"),
                Arguments.of("CL list", "HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nok!"),
                Arguments.of("CL signed", "HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok"),
                Arguments.of("status not a number", "HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok"),
                Arguments.of("no version", "200 OK\r\nContent-Length: 2\r\n\r\nok"),
                Arguments.of("HTTP/2 status line", "HTTP/2 200\r\nContent-Length: 2\r\n\r\nok"),
                Arguments.of("garbage", "garbage\r\n\r\n"),
                Arguments.of("bare LF", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok"),
                Arguments.of("invalid header name", "HTTP/1.1 200 OK\r\nX(Bad): y\r\nContent-Length: 2\r\n\r\nok"),
                Arguments.of("NUL in header value", "HTTP/1.1 200 OK\r\nX-A: a\u0000b\r\nContent-Length: 2\r\n\r\nok"),
                Arguments.of("no colon", "HTTP/1.1 200 OK\r\nBroken\r\nContent-Length: 2\r\n\r\nok"),
                Arguments.of("TE in HTTP/1.0", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedResponseIs502AndTheConnectionIsDiscarded(String name, String response) throws Exception {
        try (RawOrigin origin = new RawOrigin().then(response);
                ProxyUnderTest proxy = ProxyUnderTest.start(config(origin), 1);
                RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.exchange("GET /first HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(r.status()).as(name).isEqualTo(502);
            assertThat(r.bodyText()).isEqualTo("502 Bad Gateway\n");
            RawHttp.Response next = c.exchange("GET /second HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.bodyText()).isEqualTo("ok");
            assertThat(origin.connectionsAccepted()).as("a new connection for the next request").isEqualTo(2);
            assertThat(origin.requestLines()).containsExactly("GET /first HTTP/1.1", "GET /second HTTP/1.1");
        }
    }

    /** A malformed answer on a pooled connection is not a stale connection: the request is not sent again. */
    @Test
    void malformedResponseOnAReusedConnectionIsNotRetried() throws Exception {
        try (RawOrigin origin = new RawOrigin().then(RawOrigin.OK).then("HTTP/1.1 2OO OK\r\n\r\n");
                ProxyUnderTest proxy = ProxyUnderTest.start(config(origin), 1);
                RawHttp c = proxy.raw()) {
            assertThat(c.exchange("GET /a HTTP/1.1\r\nHost: app.test\r\n\r\n").status()).isEqualTo(200);
            assertThat(c.exchange("GET /b HTTP/1.1\r\nHost: app.test\r\n\r\n").status()).isEqualTo(502);
            assertThat(origin.requestLines()).containsExactly("GET /a HTTP/1.1", "GET /b HTTP/1.1");
            assertThat(origin.connectionsAccepted()).isEqualTo(1);
        }
    }

    /** Bytes after a complete response (a second, unasked-for response) poison the connection: it is closed. */
    @Test
    void extraBytesAfterAResponseCloseTheConnection() throws Exception {
        try (RawOrigin origin = new RawOrigin()
                        .then(RawOrigin.OK + "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled");
                ProxyUnderTest proxy = ProxyUnderTest.start(config(origin), 1);
                RawHttp c = proxy.raw()) {
            assertThat(c.exchange("GET /a HTTP/1.1\r\nHost: app.test\r\n\r\n").bodyText()).isEqualTo("ok");
            // Written in one piece, the extra response arrives in the same read as the first and is seen at once.
            RawHttp.Response r = c.exchange("GET /b HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(r.bodyText()).as("never the unasked-for response").isEqualTo("ok");
            assertThat(origin.connectionsAccepted()).isEqualTo(2);
        }
    }

    private static String config(RawOrigin origin) {
        return """
                listeners: [ { address: 127.0.0.1:0 } ]
                upstreams: { app: { servers: [ { address: %s } ] } }
                routes: [ { match: { path_prefix: / }, upstream: app } ]
                """.formatted(origin.address());
    }
}
