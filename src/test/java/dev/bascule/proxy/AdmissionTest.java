package dev.bascule.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.balance.AffinityHash;
import dev.bascule.balance.Balancers;
import dev.bascule.config.ConfigLoader;
import dev.bascule.control.ControlPlane;
import dev.bascule.control.Resolver;
import dev.bascule.control.Snapshot;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Admission as a pure step: request heads in, verdicts out; no channel, no socket. */
class AdmissionTest {
    private static ControlPlane control;
    private static Snapshot snapshot;

    @BeforeAll
    static void build() throws Exception {
        control = ControlPlane.start(new ConfigLoader(Balancers.standard().names()).parse("""
                listeners: [ { address: 127.0.0.1:0 } ]
                trusted_proxies: [ 10.9.0.0/16 ]
                upstreams:
                  blue: { servers: [ { address: 127.0.0.1:9001 } ] }
                  green: { servers: [ { address: 127.0.0.1:9002 } ] }
                routes:
                  - match: { host: green.labs.test }
                    upstream: green
                  - match: { path_prefix: /green }
                    upstream: green
                    strip_prefix: true
                  - match: { path_prefix: /admin }
                    upstream: blue
                    allow: [ 192.168.0.0/16 ]
                    deny: [ 192.168.66.0/24 ]
                  - match: { path_prefix: /limited }
                    upstream: blue
                    rate_limit: { requests_per_second: 1, burst: 1 }
                  - match: { path_prefix: /upload }
                    upstream: blue
                    max_body_size: 1k
                  - match: { path_prefix: /no-ws }
                    upstream: blue
                    websocket: false
                  - match: { path_prefix: /pinned, header: { x-release: green }, cookie: { tier: beta },
                             query: { v: "2" }, method: [ GET ] }
                    upstream: green
                  - match: { path_prefix: /old }
                    redirect: { to: "https://labs.test/new", status: 301, keep_path: true }
                    deny: [ 192.168.66.0/24 ]
                    rate_limit: { requests_per_second: 1, burst: 1 }
                  - match: { host: split.labs.test }
                    split: [ { upstream: blue, weight: 50 }, { upstream: green, weight: 50 } ]
                    sticky: { key: cookie:side }
                  - match: { host: xff.labs.test }
                    split: [ { upstream: blue, weight: 50 }, { upstream: green, weight: 50 } ]
                    sticky: { key: client_ip }
                    deny: [ 192.168.66.0/24 ]
                  - match: { host: blue.labs.test, path_prefix: / }
                    upstream: blue
                """, "t.yaml"), Balancers.standard(), Resolver.SYSTEM, Clock.systemUTC(), System::nanoTime,
                Executors.newSingleThreadScheduledExecutor());
        snapshot = control.live().get();
    }

    @AfterAll
    static void stop() {
        control.close();
    }

    @Test
    void aSplitRouteForwardsWithItsSidesActionAndGivesAClientWithoutTheCookieOne() {
        Admission a = from("10.0.0.1");
        assertThat(a.admit(snapshot, get("split.labs.test", "/"), 0)).isEqualTo(Admission.Verdict.FORWARD);
        assertThat(a.action().split()).as("a side's own action").isNull();
        assertThat(a.action().series().upstream()).isEqualTo(a.action().pool().name());
        HttpHeaders response = new DefaultHttpHeaders();
        a.addStickyCookie(response);
        String setCookie = response.get("set-cookie");
        assertThat(setCookie).matches("side=[0-9a-f]{32}; Path=/; HttpOnly; SameSite=Lax");
        String pool = a.action().pool().name();

        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        for (int i = 0; i < 10; i++) {
            assertThat(a.admit(snapshot, get("split.labs.test", "/", "cookie", "x=1; " + cookie), 0))
                    .isEqualTo(Admission.Verdict.FORWARD);
            assertThat(a.action().pool().name()).as("placed by the cookie it was given").isEqualTo(pool);
            HttpHeaders next = new DefaultHttpHeaders();
            a.addStickyCookie(next);
            assertThat(next.contains("set-cookie")).isFalse();
        }
    }

    @Test
    void aStickySplitByAddressFollowsTheTrustedClientAndAnAnswerBeforeASideCountsUnderTheRoute() {
        Admission a = from("10.9.0.1");
        assertThat(a.admit(snapshot, get("xff.labs.test", "/", "x-forwarded-for", "172.16.0.7"), 0))
                .isEqualTo(Admission.Verdict.FORWARD);
        String pool = a.action().pool().name();
        for (int i = 0; i < 5; i++) {
            a.admit(snapshot, get("xff.labs.test", "/", "x-forwarded-for", "172.16.0.7"), 0);
            assertThat(a.action().pool().name()).isEqualTo(pool);
        }
        Admission denied = from("192.168.66.5");
        assertThat(denied.admit(snapshot, get("xff.labs.test", "/"), 0)).isEqualTo(Admission.Verdict.ANSWER);
        assertThat(denied.action().split()).as("no side chosen: the route's own action").isNotNull();
        assertThat(denied.action().series().upstream()).isEmpty();
    }

    private static Admission from(String ip) {
        return new Admission(new ClientAddress(new InetSocketAddress(ip, 40000)));
    }

    private static HttpRequest get(String host, String target, String... headers) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target);
        if (host != null) {
            r.headers().set("host", host);
        }
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return r;
    }

    @Test
    void forwardsWithTheRouteAndTheTargetToSend() {
        Admission a = from("203.0.113.5");
        assertThat(a.admit(snapshot, get("labs.test", "/green/hi?x=1"), 0)).isEqualTo(Admission.Verdict.FORWARD);
        assertThat(a.route().target().pool().name()).isEqualTo("green");
        assertThat(a.upstreamTarget()).isEqualTo("/hi?x=1");
        assertThat(a.admit(snapshot, get("GREEN.labs.test:8080", "/x"), 0)).isEqualTo(Admission.Verdict.FORWARD);
        assertThat(a.route().target().pool().name()).isEqualTo("green");
        assertThat(a.upstreamTarget()).isEqualTo("/x");
    }

    @Test
    void noRouteIsAnsweredAndTheConnectionMayCarryOn() {
        Admission a = from("203.0.113.5");
        assertThat(a.admit(snapshot, get("other.test", "/"), 0)).isEqualTo(Admission.Verdict.ANSWER);
        assertThat(a.status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
        assertThat(a.route()).isNull();
    }

    @Test
    void anInvalidHeadIsRejectedWithTheStatusThatFits() {
        Admission a = from("203.0.113.5");
        assertThat(a.admit(snapshot, get(null, "/"), 0)).isEqualTo(Admission.Verdict.REJECT);
        assertThat(a.status()).as("HTTP/1.1 without Host").isEqualTo(HttpResponseStatus.BAD_REQUEST);
        HttpRequest connect = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.CONNECT, "blue.labs.test:443");
        connect.headers().set("host", "blue.labs.test:443");
        assertThat(a.admit(snapshot, connect, 0)).isEqualTo(Admission.Verdict.REJECT);
        assertThat(a.status()).isEqualTo(HttpResponseStatus.NOT_IMPLEMENTED);
        assertThat(a.admit(snapshot, get("blue.labs.test", "/" + "a".repeat(9000)), 0)).isEqualTo(Admission.Verdict.REJECT);
        assertThat(a.status()).isEqualTo(HttpResponseStatus.REQUEST_URI_TOO_LONG);
    }

    @Test
    void absoluteFormOnlyForAHostARouteNames() {
        Admission a = from("203.0.113.5");
        assertThat(a.admit(snapshot, get("blue.labs.test", "http://blue.labs.test/a"), 0))
                .isEqualTo(Admission.Verdict.FORWARD);
        assertThat(a.upstreamTarget()).isEqualTo("/a");
        assertThat(a.admit(snapshot, get("labs.test", "http://labs.test/green/a"), 0))
                .as("matched by path only: Bascule is no open forward proxy").isEqualTo(Admission.Verdict.REJECT);
        assertThat(a.status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
    }

    @Test
    void allowAndDenyJudgeTheClientATrustedProxySpeaksFor() {
        assertThat(from("192.168.1.7").admit(snapshot, get("labs.test", "/admin"), 0))
                .isEqualTo(Admission.Verdict.FORWARD);
        Admission denied = from("192.168.66.7");
        assertThat(denied.admit(snapshot, get("labs.test", "/admin"), 0)).isEqualTo(Admission.Verdict.ANSWER);
        assertThat(denied.status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
        assertThat(from("203.0.113.5").admit(snapshot, get("labs.test", "/admin"), 0))
                .as("not in allow").isEqualTo(Admission.Verdict.ANSWER);

        Admission viaProxy = from("10.9.1.1");
        assertThat(viaProxy.admit(snapshot, get("labs.test", "/admin", "x-forwarded-for", "192.168.1.7, 10.9.3.3"), 0))
                .isEqualTo(Admission.Verdict.FORWARD);
        assertThat(viaProxy.client().ip()).isEqualTo("192.168.1.7");
        assertThat(viaProxy.client().peerTrusted()).isTrue();
        Admission untrusted = from("203.0.113.9");
        assertThat(untrusted.admit(snapshot, get("labs.test", "/admin", "x-forwarded-for", "192.168.1.7"), 0))
                .as("anyone can claim an address").isEqualTo(Admission.Verdict.ANSWER);
        assertThat(untrusted.client().ip()).isEqualTo("203.0.113.9");
    }

    @Test
    void theRateLimitAnswers429WithRetryAfterOnTheInjectedClock() {
        Admission a = from("203.0.113.77");
        long now = 5_000_000_000L;
        assertThat(a.admit(snapshot, get("labs.test", "/limited"), now)).isEqualTo(Admission.Verdict.FORWARD);
        assertThat(a.admit(snapshot, get("labs.test", "/limited"), now)).isEqualTo(Admission.Verdict.ANSWER);
        assertThat(a.status()).isEqualTo(HttpResponseStatus.TOO_MANY_REQUESTS);
        assertThat(a.retryAfterSeconds()).isEqualTo(1);
        assertThat(a.admit(snapshot, get("labs.test", "/limited"), now + 1_000_000_000L))
                .as("a second later the bucket has a token").isEqualTo(Admission.Verdict.FORWARD);
        assertThat(a.retryAfterSeconds()).isZero();
    }

    @Test
    void aDeclaredBodyOverTheLimitIsRejectedBeforeAnyOriginIsContacted() {
        Admission a = from("203.0.113.5");
        HttpRequest big = get("labs.test", "/upload", "content-length", "1025");
        assertThat(a.admit(snapshot, big, 0)).isEqualTo(Admission.Verdict.REJECT);
        assertThat(a.status()).isEqualTo(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
        assertThat(a.admit(snapshot, get("labs.test", "/upload", "content-length", "1024"), 0))
                .isEqualTo(Admission.Verdict.FORWARD);
    }

    @Test
    void aStreamingBodyIsHeldToTheLimitAndTheEndOfTheRequestLetsGoOfWhatWasDecidedForIt() {
        Admission a = from("10.9.0.1"); // a trusted proxy
        HttpRequest chunked = get("labs.test", "/upload", "transfer-encoding", "chunked",
                "x-forwarded-for", "172.16.0.7");
        assertThat(a.admit(snapshot, chunked, 0)).isEqualTo(Admission.Verdict.FORWARD);
        assertThat(a.bodyWithinLimit(1024)).isTrue();
        assertThat(a.bodyWithinLimit(1025)).as("max_body_size: 1k").isFalse();
        assertThat(a.client().ip()).isEqualTo("172.16.0.7");
        assertThat(a.client().hash()).isEqualTo(AffinityHash.hash64("172.16.0.7"));

        a.requestOver(); // what an idle keep-alive connection would otherwise keep: the snapshot's route, texts

        assertThat(a.route()).isNull();
        assertThat(a.action()).isNull();
        assertThat(a.upstreamTarget()).isNull();
        assertThat(a.client().ip()).as("back to the peer").isEqualTo("10.9.0.1");
        assertThat(a.client().hash()).isEqualTo(AffinityHash.hash64("10.9.0.1"));
    }

    private static final String[] HANDSHAKE = {"connection", "keep-alive, Upgrade", "upgrade", "websocket",
        "sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version", "13"};

    @Test
    void aWebSocketHandshakeIsForwardedAsOneAndItsRulesAreAdmissions() {
        Admission a = from("203.0.113.5");
        assertThat(a.admit(snapshot, get("blue.labs.test", "/chat", HANDSHAKE), 0)).isEqualTo(Admission.Verdict.FORWARD);
        assertThat(a.websocket()).isTrue();
        assertThat(a.admit(snapshot, get("blue.labs.test", "/chat"), 0)).isEqualTo(Admission.Verdict.FORWARD);
        assertThat(a.websocket()).as("an ordinary request after it").isFalse();
        assertThat(a.admit(snapshot, get("blue.labs.test", "/chat", "connection", "upgrade", "upgrade", "h2c"), 0))
                .isEqualTo(Admission.Verdict.FORWARD);
        assertThat(a.websocket()).as("other upgrades go on as plain HTTP, their Upgrade stripped").isFalse();

        HttpRequest badKey = get("blue.labs.test", "/chat", HANDSHAKE);
        badKey.headers().set("sec-websocket-key", "short==");
        assertThat(a.admit(snapshot, badKey, 0)).isEqualTo(Admission.Verdict.ANSWER);
        assertThat(a.status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        HttpRequest version8 = get("blue.labs.test", "/chat", HANDSHAKE);
        version8.headers().set("sec-websocket-version", "8");
        assertThat(a.admit(snapshot, version8, 0)).isEqualTo(Admission.Verdict.ANSWER);
        assertThat(a.status()).isEqualTo(HttpResponseStatus.UPGRADE_REQUIRED);
    }

    @Test
    void aRouteWithWebsocketFalseAnswersHandshakes403AndServesTheRest() {
        Admission a = from("203.0.113.5");
        assertThat(a.admit(snapshot, get("labs.test", "/no-ws/chat", HANDSHAKE), 0))
                .isEqualTo(Admission.Verdict.ANSWER);
        assertThat(a.status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
        assertThat(a.admit(snapshot, get("labs.test", "/no-ws/page"), 0)).isEqualTo(Admission.Verdict.FORWARD);
        assertThat(from("192.168.66.7").admit(snapshot, get("labs.test", "/admin", HANDSHAKE), 0))
                .as("deny is judged before the handshake").isEqualTo(Admission.Verdict.ANSWER);
    }

    @Test
    void headerCookieQueryAndMethodMustAllHold() {
        Admission a = from("203.0.113.5");
        String[] pinned = {"x-release", "green", "cookie", "a=1; tier=beta"};
        assertThat(a.admit(snapshot, get("labs.test", "/pinned/x?v=2", pinned), 0)).isEqualTo(Admission.Verdict.FORWARD);
        assertThat(a.route().target().pool().name()).isEqualTo("green");
        assertThat(a.admit(snapshot, get("labs.test", "/pinned/x?v=1", pinned), 0)).isEqualTo(Admission.Verdict.ANSWER);
        assertThat(a.status()).as("the query misses: no route").isEqualTo(HttpResponseStatus.NOT_FOUND);
        assertThat(a.admit(snapshot, get("labs.test", "/pinned/x?v=2", "x-release", "green"), 0))
                .as("no cookie").isEqualTo(Admission.Verdict.ANSWER);
        assertThat(a.admit(snapshot, get("labs.test", "/pinned/x?v=2", "x-release", "blue", "cookie", "tier=beta"), 0))
                .as("another header value").isEqualTo(Admission.Verdict.ANSWER);
        HttpRequest post = get("labs.test", "/pinned/x?v=2", pinned);
        post.setMethod(HttpMethod.POST);
        assertThat(a.admit(snapshot, post, 0)).as("another method").isEqualTo(Admission.Verdict.ANSWER);
    }

    @Test
    void aRedirectRouteAnswersWithItsLocationAfterItsAccessRulesAndRateLimit() {
        Admission a = from("203.0.113.6");
        long now = 9_000_000_000L;
        assertThat(a.admit(snapshot, get("labs.test", "/old/a/b?x=1"), now)).isEqualTo(Admission.Verdict.REDIRECT);
        assertThat(a.status()).isEqualTo(HttpResponseStatus.MOVED_PERMANENTLY);
        assertThat(a.location()).isEqualTo("https://labs.test/new/a/b?x=1");
        assertThat(a.route().target().pool()).isNull();
        assertThat(a.upstreamTarget()).isNull();
        assertThat(a.admit(snapshot, get("labs.test", "/old"), now)).as("rate limited").isEqualTo(Admission.Verdict.ANSWER);
        assertThat(a.status()).isEqualTo(HttpResponseStatus.TOO_MANY_REQUESTS);
        assertThat(a.location()).isNull();
        Admission denied = from("192.168.66.8");
        assertThat(denied.admit(snapshot, get("labs.test", "/old"), now)).isEqualTo(Admission.Verdict.ANSWER);
        assertThat(denied.status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
    }
}
