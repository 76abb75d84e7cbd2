package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestOrigin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Origins that answer too slowly: 504, per-try timeouts and retries, and what is left of the connections. */
@ExtendWith(LeakGuard.class)
class TimeoutsTest {

    @Test
    void noResponseHeadInTimeIs504AndTheClientConnectionStaysUsable() throws Exception {
        try (TestOrigin slow = TestOrigin.start("slow");
                ProxyUnderTest proxy = ProxyUnderTest.start("""
                        listeners: [ { address: 127.0.0.1:0 } ]
                        timeouts: { response_header: 300ms }
                        upstreams: { app: { servers: [ { address: %s } ] } }
                        routes: [ { upstream: app } ]
                        """.formatted(slow.address()), 1);
                RawHttp c = proxy.raw()) {
            long start = System.nanoTime();
            RawHttp.Response r = c.exchange("GET /delay?ms=3000 HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(r.status()).isEqualTo(504);
            assertThat(r.bodyText()).isEqualTo("504 Gateway Timeout\n");
            assertThat(System.nanoTime() - start).as("answered at the deadline, not at the origin's pace")
                    .isLessThan(2_500_000_000L);
            assertThat(c.exchange("GET / HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
        }
    }

    @Test
    void perTryTimeoutRetriesOnAnotherServer() throws Exception {
        try (TestOrigin a = TestOrigin.start("a"); TestOrigin b = TestOrigin.start("b");
                ProxyUnderTest proxy = ProxyUnderTest.start("""
                        listeners: [ { address: 127.0.0.1:0 } ]
                        upstreams: { app: { servers: [ { address: %s }, { address: %s } ] } }
                        routes:
                          - upstream: app
                            retry: { attempts: 2, on: [ 504 ], per_try_timeout: 300ms }
                        """.formatted(a.address(), b.address()), 1);
                RawHttp c = proxy.raw()) {
            // Both servers are slow on this path: the first try times out after 300 ms, the retry goes to the
            // other server and times out too, so the client gets 504 after two tries, one on each server.
            RawHttp.Response r = c.exchange("GET /delay?ms=2000 HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(r.status()).isEqualTo(504);
            assertThat(a.requests()).isEqualTo(1);
            assertThat(b.requests()).isEqualTo(1);
            assertThat(c.exchange("GET / HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
        }
    }
}
