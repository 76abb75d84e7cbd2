package dev.bascule.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.balance.Balancers;
import dev.bascule.config.ConfigLoader;
import dev.bascule.control.ControlPlane;
import dev.bascule.control.Resolver;
import dev.bascule.control.Snapshot;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Admission of routes whose rate limit is global: it stops at {@link Admission.Verdict#CHECK_GLOBAL} with the key
 * to check, and {@link Admission#afterGlobalLimit} goes on from there. Pure: no Redis is asked here (the config's
 * points at a closed port).
 */
class AdmissionGlobalLimitTest {
    private static ControlPlane control;
    private static Snapshot snapshot;

    @BeforeAll
    static void build() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        control = ControlPlane.start(new ConfigLoader(Balancers.standard().names()).parse("""
                listeners: [ { address: 127.0.0.1:0 } ]
                redis: { address: 127.0.0.1:%d, key_prefix: "fleet-a:" }
                upstreams:
                  blue: { servers: [ { address: 127.0.0.1:9001 } ] }
                  green: { servers: [ { address: 127.0.0.1:9002 } ] }
                routes:
                  - match: { path_prefix: /api }
                    upstream: blue
                    max_body_size: 1k
                    deny: [ 192.168.66.0/24 ]
                    rate_limit: { requests_per_second: 100, burst: 200, scope: global }
                  - match: { path_prefix: /keyed }
                    upstream: blue
                    strip_prefix: true
                    rate_limit: { requests_per_second: 5, key: "header:x-api-key", scope: global }
                  - match: { path_prefix: /old }
                    redirect: { to: "https://labs.test/new", status: 301, keep_path: true }
                    rate_limit: { requests_per_second: 1, scope: global }
                  - name: canary
                    match: { host: split.labs.test }
                    split: [ { upstream: blue, weight: 50 }, { upstream: green, weight: 50 } ]
                    rate_limit: { requests_per_second: 1, scope: global }
                  - match: { path_prefix: /local }
                    upstream: blue
                    rate_limit: { requests_per_second: 1 }
                """.formatted(closed), "t.yaml"), Balancers.standard(), Resolver.SYSTEM, Clock.systemUTC(),
                System::nanoTime, Executors.newSingleThreadScheduledExecutor());
        snapshot = control.live().get();
    }

    @AfterAll
    static void stop() {
        control.close();
    }

    private static Admission from(String ip) {
        return new Admission(new ClientAddress(new InetSocketAddress(ip, 40000)));
    }

    private static HttpRequest request(HttpMethod method, String host, String target, String... headers) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, target);
        r.headers().set("host", host);
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return r;
    }

    @Test
    void aGlobalLimitStopsAdmissionUntilItDecides() {
        Admission a = from("10.0.0.1");
        assertThat(a.admit(snapshot, request(HttpMethod.GET, "labs.test", "/api/x"), 0))
                .isEqualTo(Admission.Verdict.CHECK_GLOBAL);
        assertThat(a.globalKey()).isEqualTo("10.0.0.1");
        assertThat(a.globalLimit().redisKey(a.globalKey())).as("key_prefix, route, client").isEqualTo(
                "fleet-a:/api:10.0.0.1");
        assertThat(a.upstreamTarget()).as("nothing decided yet").isNull();
        assertThat(a.afterGlobalLimit(0)).isEqualTo(Admission.Verdict.FORWARD);
        assertThat(a.upstreamTarget()).isEqualTo("/api/x");
        assertThat(a.action().pool().name()).isEqualTo("blue");
    }

    @Test
    void noTokenIs429WithRetryAfterInWholeSeconds() {
        Admission a = from("10.0.0.1");
        assertThat(a.admit(snapshot, request(HttpMethod.GET, "labs.test", "/api/x"), 0))
                .isEqualTo(Admission.Verdict.CHECK_GLOBAL);
        assertThat(a.afterGlobalLimit(TimeUnit.MILLISECONDS.toNanos(1500))).isEqualTo(Admission.Verdict.ANSWER);
        assertThat(a.status()).isEqualTo(HttpResponseStatus.TOO_MANY_REQUESTS);
        assertThat(a.retryAfterSeconds()).isEqualTo(2);
    }

    @Test
    void theKeyIsTheRoutesHeaderWhenItHasOne() {
        Admission a = from("10.0.0.1");
        assertThat(a.admit(snapshot, request(HttpMethod.GET, "labs.test", "/keyed/a", "x-api-key", "k-17"), 0))
                .isEqualTo(Admission.Verdict.CHECK_GLOBAL);
        assertThat(a.globalKey()).isEqualTo("k-17");
        assertThat(a.afterGlobalLimit(0)).isEqualTo(Admission.Verdict.FORWARD);
        assertThat(a.upstreamTarget()).isEqualTo("/a");
        assertThat(a.admit(snapshot, request(HttpMethod.GET, "labs.test", "/keyed/a"), 0))
                .isEqualTo(Admission.Verdict.CHECK_GLOBAL);
        assertThat(a.globalKey()).as("no header: the client address").isEqualTo("10.0.0.1");
    }

    @Test
    void denyAndTheBodyLimitComeBeforeAndAfterTheCheckAsForALocalLimit() {
        Admission denied = from("192.168.66.5");
        assertThat(denied.admit(snapshot, request(HttpMethod.GET, "labs.test", "/api/x"), 0))
                .as("denied before any check").isEqualTo(Admission.Verdict.ANSWER);
        assertThat(denied.status()).isEqualTo(HttpResponseStatus.FORBIDDEN);

        Admission big = from("10.0.0.1");
        assertThat(big.admit(snapshot, request(HttpMethod.POST, "labs.test", "/api/x", "content-length", "4096"), 0))
                .isEqualTo(Admission.Verdict.CHECK_GLOBAL);
        assertThat(big.afterGlobalLimit(0)).isEqualTo(Admission.Verdict.REJECT);
        assertThat(big.status()).isEqualTo(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
    }

    @Test
    void aRedirectRouteAndASplitRouteGoOnAfterTheCheck() {
        Admission a = from("10.0.0.1");
        assertThat(a.admit(snapshot, request(HttpMethod.GET, "labs.test", "/old/page?q=1"), 0))
                .isEqualTo(Admission.Verdict.CHECK_GLOBAL);
        assertThat(a.afterGlobalLimit(0)).isEqualTo(Admission.Verdict.REDIRECT);
        assertThat(a.location()).isEqualTo("https://labs.test/new/page?q=1");
        assertThat(a.status().code()).isEqualTo(301);

        assertThat(a.admit(snapshot, request(HttpMethod.GET, "split.labs.test", "/"), 0))
                .isEqualTo(Admission.Verdict.CHECK_GLOBAL);
        assertThat(a.globalLimit().redisKey("x")).isEqualTo("fleet-a:canary:x");
        assertThat(a.afterGlobalLimit(0)).isEqualTo(Admission.Verdict.FORWARD);
        assertThat(a.action().split()).as("a side's action").isNull();
        assertThat(a.action().globalLimit()).as("the sides share the route's limit").isNotNull();
    }

    @Test
    void aLocalLimitStillDecidesAtOnce() {
        Admission a = from("10.0.0.2");
        assertThat(a.admit(snapshot, request(HttpMethod.GET, "labs.test", "/local"), 0))
                .isEqualTo(Admission.Verdict.FORWARD);
        assertThat(a.admit(snapshot, request(HttpMethod.GET, "labs.test", "/local"), 0))
                .isEqualTo(Admission.Verdict.ANSWER);
        assertThat(a.status()).isEqualTo(HttpResponseStatus.TOO_MANY_REQUESTS);
    }
}
