package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestOrigin;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Client identity (trusted proxies), per-route allow/deny lists and rate limits, over real sockets. */
@ExtendWith(LeakGuard.class)
class AccessControlTest {

    private static String config(TestOrigin origin, String top, String route) {
        return """
                listeners: [ { address: 127.0.0.1:0 } ]
                %s
                upstreams: { app: { servers: [ { address: %s } ] } }
                routes:
                  - match: { path_prefix: /limited }
                    upstream: app
                %s
                  - match: { path_prefix: / }
                    upstream: app
                """.formatted(top, origin.address(), route);
    }

    /** A raw client whose connection comes from {@code localIp} (any 127.x address is this machine). */
    private static RawHttp from(ProxyUnderTest proxy, String localIp) throws Exception {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(localIp, 0));
        s.connect(proxy.address(), 2000);
        return new RawHttp(s);
    }

    @Test
    void denyAndAllowListsAnswer403() throws Exception {
        try (TestOrigin o = TestOrigin.start("o");
                ProxyUnderTest proxy = ProxyUnderTest.start(config(o, "",
                        "    allow: [ 127.0.0.0/8 ]\n    deny: [ 127.0.0.2 ]"), 1)) {
            try (RawHttp c = from(proxy, "127.0.0.1")) {
                assertThat(c.exchange("GET /limited HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
            }
            try (RawHttp c = from(proxy, "127.0.0.2")) {
                RawHttp.Response r = c.exchange("GET /limited HTTP/1.1\r\nHost: a\r\n\r\n");
                assertThat(r.status()).isEqualTo(403);
                assertThat(c.exchange("GET /other HTTP/1.1\r\nHost: a\r\n\r\n").status())
                        .as("other routes are open, and the connection stays usable").isEqualTo(200);
            }
            assertThat(o.recorded()).noneMatch(r -> r.uri().equals("/limited") && false);
        }
    }

    @Test
    void rateLimitAnswers429WithRetryAfterPerClient() throws Exception {
        try (TestOrigin o = TestOrigin.start("o");
                ProxyUnderTest proxy = ProxyUnderTest.start(config(o, "",
                        "    rate_limit: { requests_per_second: 1, burst: 3 }"), 1)) {
            try (RawHttp c = from(proxy, "127.0.0.1")) {
                for (int i = 0; i < 3; i++) {
                    assertThat(c.exchange("GET /limited HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
                }
                RawHttp.Response r = c.exchange("GET /limited HTTP/1.1\r\nHost: a\r\n\r\n");
                assertThat(r.status()).isEqualTo(429);
                assertThat(r.header("retry-after")).isEqualTo("1");
                assertThat(c.exchange("GET /other HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
            }
            try (RawHttp c = from(proxy, "127.0.0.3")) {
                assertThat(c.exchange("GET /limited HTTP/1.1\r\nHost: a\r\n\r\n").status())
                        .as("another client has its own bucket").isEqualTo(200);
            }
            assertThat(o.recorded().stream().filter(r -> r.uri().equals("/limited")).count()).isEqualTo(4);
        }
    }

    @Test
    void forwardedForIsBelievedOnlyFromTrustedProxies() throws Exception {
        try (TestOrigin o = TestOrigin.start("o");
                ProxyUnderTest proxy = ProxyUnderTest.start(config(o, "trusted_proxies: [ 127.0.0.5 ]",
                        "    deny: [ 203.0.113.9 ]"), 1)) {
            String req = "GET /echo-headers HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n";
            try (RawHttp c = from(proxy, "127.0.0.1")) {
                assertThat(c.exchange(req).bodyText()).contains("x-forwarded-for: 127.0.0.1\n");
            }
            try (RawHttp c = from(proxy, "127.0.0.5")) {
                assertThat(c.exchange(req).bodyText()).contains("x-forwarded-for: 203.0.113.7, 127.0.0.5\n");
                // the client behind the trusted proxy is the one access rules see
                assertThat(c.exchange("GET /limited HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n")
                        .status()).isEqualTo(403);
            }
            try (RawHttp c = from(proxy, "127.0.0.1")) {
                assertThat(c.exchange("GET /limited HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n")
                        .status()).as("an untrusted peer cannot borrow another address").isEqualTo(200);
            }
        }
    }
}
