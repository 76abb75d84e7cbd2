package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.testing.H2cClient;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.TestOrigin;
import io.netty.handler.codec.http.HttpMethod;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * When Bascule itself fails a gRPC call it answers the way gRPC clients understand: HTTP 200 with grpc-status in a
 * trailers-only response; and the client's grpc-timeout bounds the call. Over h2c with prior knowledge.
 */
@ExtendWith(LeakGuard.class)
class GrpcLocalAnswersTest {
    private TestOrigin origin;
    private ProxyUnderTest proxy;
    private H2cClient client;

    @BeforeEach
    void start() throws Exception {
        origin = TestOrigin.start("o1");
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        proxy = ProxyUnderTest.start("""
                listeners: [ { address: 127.0.0.1:0, protocols: [http1, h2c] } ]
                upstreams:
                  svc: { servers: [ { address: %s } ] }
                  down: { servers: [ { address: 127.0.0.1:%d } ] }
                routes:
                  - match: { path_prefix: /denied.Svc/ }
                    upstream: svc
                    allow: [ 10.0.0.0/8 ]
                  - match: { path_prefix: /limited.Svc/ }
                    upstream: svc
                    rate_limit: { requests_per_second: 1, burst: 1 }
                  - match: { path_prefix: /down.Svc/ }
                    upstream: down
                  - match: { path_prefix: /delay }
                    upstream: svc
                """.formatted(origin.address(), closed), 1);
        client = new H2cClient(proxy.address());
    }

    @AfterEach
    void stop() {
        client.close();
        proxy.close();
        origin.close();
    }

    private H2cClient.Response call(String path, String... headers) throws Exception {
        String[] all = new String[headers.length + 4];
        all[0] = "content-type";
        all[1] = "application/grpc";
        all[2] = "te";
        all[3] = "trailers";
        System.arraycopy(headers, 0, all, 4, headers.length);
        return client.send(HttpMethod.POST, "grpc.test", path, new byte[] {0, 0, 0, 0, 0}, all).get(10, TimeUnit.SECONDS);
    }

    private static String grpcStatus(H2cClient.Response r) {
        assertThat(r.status()).as("gRPC failures travel in a 200").isEqualTo(200);
        assertThat(r.body()).as("trailers-only: no message").isEmpty();
        return r.headers().get("grpc-status");
    }

    @Test
    void noRouteIsUnimplemented() throws Exception {
        assertThat(grpcStatus(call("/nothing.Svc/Call"))).isEqualTo("12");
    }

    @Test
    void aDenyRuleIsPermissionDenied() throws Exception {
        assertThat(grpcStatus(call("/denied.Svc/Call"))).isEqualTo("7");
    }

    @Test
    void theRateLimitIsResourceExhausted() throws Exception {
        call("/limited.Svc/Call");
        assertThat(grpcStatus(call("/limited.Svc/Call"))).isEqualTo("8");
    }

    @Test
    void noServerIsUnavailable() throws Exception {
        assertThat(grpcStatus(call("/down.Svc/Call"))).isEqualTo("14");
    }

    @Test
    void theClientsDeadlineBoundsTheCallAndGoesUpstreamAsTheTimeLeft() throws Exception {
        long start = System.nanoTime();
        H2cClient.Response r = call("/delay?ms=3000", "grpc-timeout", "300m");
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(grpcStatus(r)).isEqualTo("4");
        assertThat(took).as("ended at the deadline, not when the origin answered").isLessThan(2500);
        String forwarded = origin.recorded().get(0).headers().get("grpc-timeout");
        assertThat(forwarded).endsWith("m");
        assertThat(Long.parseLong(forwarded.substring(0, forwarded.length() - 1))).isBetween(1L, 300L);
    }
}
