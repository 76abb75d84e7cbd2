package dev.bascule.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.origin.EmbeddedOrigins.Origin;
import dev.bascule.testing.LeakGuard;
import dev.bascule.upstream.ServerState;
import io.netty.channel.WriteBufferWaterMark;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The exchange end to end on embedded channels: a client connection with the real pipeline, fed raw bytes, and
 * origin connections that are {@link io.netty.channel.embedded.EmbeddedChannel}s too, played byte by byte. What
 * goes upstream, what comes back, back-pressure both ways, when an origin connection is pooled or discarded,
 * the 502/504 answers and retries, and what the snapshot's exchange events count on each server.
 */
@ExtendWith(LeakGuard.class)
class ExchangeTest {
    private static final String CONFIG = """
            listeners: [ { address: 127.0.0.1:0 } ]
            trusted_proxies: [ 198.51.100.0/24 ]
            timeouts: { response_header: 1s, client_header: 2s, client_body_idle: 3s }
            upstreams:
              app:
                servers: [ { address: 127.0.0.1:9001 } ]
              pair:
                servers: [ { address: 127.0.0.1:9002 }, { address: 127.0.0.1:9003 } ]
            routes:
              - match: { host: pair.test }
                upstream: pair
              - upstream: app
            """;
    private static final String PEER = "203.0.113.9";
    private static final String APP = "127.0.0.1:9001";

    private EmbeddedFrontend proxy;

    private EmbeddedFrontend proxy(String peer) throws Exception {
        proxy = new EmbeddedFrontend(CONFIG, peer);
        return proxy;
    }

    @AfterEach
    void close() {
        if (proxy == null) {
            return;
        }
        try {
            assertThat(proxy.finishAndReleaseAll()).as("messages left in a channel").isFalse();
        } finally {
            proxy.close();
        }
    }

    private ServerState state(String pool, String address) {
        return proxy.server(pool, address).state();
    }

    @Test
    void requestHeadGoesUpstreamAsHeaderRulesSay() throws Exception {
        proxy(PEER).send("GET /x?y=1 HTTP/1.1\r\nHost: app.test\r\nConnection: keep-alive, X-Secret\r\n"
                + "X-Secret: s\r\nKeep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\n"
                + "X-Forwarded-For: 6.6.6.6\r\nX-Forwarded-Proto: https\r\nAccept: */*\r\n\r\n");

        String sent = proxy.origins.last().received();
        assertThat(sent).startsWith("GET /x?y=1 HTTP/1.1\r\n").endsWith("\r\n\r\n")
                .containsIgnoringCase("\r\nhost: app.test\r\n")
                .containsIgnoringCase("\r\naccept: */*\r\n")
                // RFC 9110 7.6.1: hop-by-hop fields, and every field Connection names, stay on this hop
                .doesNotContainIgnoringCase("connection:")
                .doesNotContainIgnoringCase("keep-alive")
                .doesNotContainIgnoringCase("x-secret")
                .doesNotContainIgnoringCase("\r\nte:")
                // from an untrusted peer, a claimed X-Forwarded-For is replaced by the peer's address
                .containsIgnoringCase("\r\nx-forwarded-for: 203.0.113.9\r\n")
                .doesNotContain("6.6.6.6")
                .containsIgnoringCase("\r\nx-forwarded-proto: http\r\n")
                .containsIgnoringCase("\r\nx-forwarded-host: app.test\r\n");

        proxy.origins.last().send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive, X-Internal\r\n"
                + "X-Internal: i\r\nKeep-Alive: timeout=5\r\n\r\nok");

        String r = proxy.response();
        assertThat(r).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nok")
                .containsIgnoringCase("content-length: 2\r\n")
                .doesNotContainIgnoringCase("x-internal")
                .doesNotContainIgnoringCase("keep-alive")
                .doesNotContainIgnoringCase("connection:");
        assertThat(proxy.client.isActive()).isTrue();
    }

    @Test
    void trustedPeerKeepsTheForwardedForChainAndIsAppendedToIt() throws Exception {
        proxy("198.51.100.1").send("GET / HTTP/1.1\r\nHost: app.test\r\nX-Forwarded-For: 192.0.2.1, 192.0.2.2\r\n\r\n");

        assertThat(proxy.origins.last().received())
                .containsIgnoringCase("\r\nx-forwarded-for: 192.0.2.1, 192.0.2.2, 198.51.100.1\r\n");
        proxy.origins.last().send("HTTP/1.1 204 No Content\r\n\r\n");
        assertThat(proxy.response()).startsWith("HTTP/1.1 204 ");
    }

    @Test
    void http10RequestWithoutHostGoesUpstreamAsHttp11WithTheServersAddress() throws Exception {
        proxy(PEER).send("GET /x HTTP/1.0\r\n\r\n");

        assertThat(proxy.origins.last().received()).startsWith("GET /x HTTP/1.1\r\n")
                .containsIgnoringCase("\r\nhost: " + APP + "\r\n")
                .doesNotContainIgnoringCase("x-forwarded-host");
        proxy.origins.last().send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");

        // an HTTP/1.0 client knows no chunking: the body goes raw and ends with the close
        String r = proxy.response();
        assertThat(r).startsWith("HTTP/1.1 200 OK\r\n").containsIgnoringCase("connection: close\r\n")
                .doesNotContainIgnoringCase("transfer-encoding").endsWith("\r\n\r\nok");
        assertThat(proxy.client.isActive()).isFalse();
        assertThat(proxy.origins.idle(EmbeddedFrontend.address(APP)))
                .as("the origin said keep-alive: the client closing is no reason to close it").isEqualTo(1);
    }

    @Test
    void absoluteFormToAHostARouteNamesGoesUpstreamInOriginForm() throws Exception {
        proxy(PEER).send("GET http://pair.test/x?q HTTP/1.1\r\nHost: pair.test\r\n\r\n");

        assertThat(proxy.origins.last().received()).startsWith("GET /x?q HTTP/1.1\r\n");
        proxy.origins.last().send("HTTP/1.1 204 No Content\r\n\r\n");
        assertThat(proxy.response()).startsWith("HTTP/1.1 204 ");
    }

    @Test
    void bodyGoesUpstreamOnlyAsFastAsTheOriginTakesIt() throws Exception {
        proxy(PEER);
        proxy.origins.waterMark(new WriteBufferWaterMark(8, 16));
        proxy.origins.holdFlushes(true); // an origin that reads nothing for now
        proxy.send("POST /upload HTTP/1.1\r\nHost: app.test\r\nContent-Length: 20\r\n\r\n");
        Origin origin = proxy.origins.last();
        assertThat(origin.written()).startsWith("POST /upload HTTP/1.1\r\n");
        assertThat(origin.channel().isWritable()).as("the head alone is over the high water mark").isFalse();

        proxy.send("0123456789"); // a read was owed for the body: its first piece goes on
        int reads = proxy.socket.reads;
        proxy.send("abcdefghij");

        assertThat(proxy.handed).containsExactly("POST /upload", "content 0123456789");
        assertThat(origin.written()).endsWith("\r\n\r\n0123456789");
        assertThat(proxy.socket.reads).as("no read while the origin cannot take more").isEqualTo(reads);

        origin.releaseFlushes(); // the origin drains its socket: writable again

        assertThat(proxy.handed).containsExactly("POST /upload", "content 0123456789", "last abcdefghij");
        assertThat(origin.received()).startsWith("POST /upload HTTP/1.1\r\n")
                .containsIgnoringCase("\r\ncontent-length: 20\r\n").endsWith("\r\n\r\n0123456789abcdefghij");

        origin.send("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
        assertThat(proxy.response()).startsWith("HTTP/1.1 201 Created\r\n");
        assertThat(proxy.client.isActive()).isTrue();
        assertThat(proxy.origins.idle(EmbeddedFrontend.address(APP))).isEqualTo(1);
    }

    @Test
    void responseStreamsBackAndTheOriginIsNotReadWhileTheClientIsNot() throws Exception {
        proxy(PEER).send("GET /big HTTP/1.1\r\nHost: app.test\r\n\r\n");
        Origin origin = proxy.origins.last();
        origin.received();

        origin.send("HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\nhello");
        assertThat(proxy.response()).as("each piece is passed on as it comes")
                .startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nhello");

        proxy.client.config().setWriteBufferWaterMark(new WriteBufferWaterMark(2, 4));
        proxy.socket.holdFlushes = true; // a client that reads nothing for now
        origin.send(" world");

        assertThat(proxy.client.isWritable()).isFalse();
        assertThat(origin.isRead()).as("the origin is not read while the client cannot take more").isFalse();

        proxy.socket.holdFlushes = false;
        proxy.client.flush();

        assertThat(origin.isRead()).as("read again once the client drained").isTrue();
        assertThat(proxy.response()).isEqualTo(" world");

        origin.send("!!!");
        assertThat(proxy.response()).isEqualTo("!!!");
        assertThat(proxy.origins.idle(EmbeddedFrontend.address(APP))).as("complete: back in the pool").isEqualTo(1);
    }

    @Test
    void keepAliveOriginConnectionIsPooledAndReused() throws Exception {
        proxy(PEER).send("GET /1 HTTP/1.1\r\nHost: app.test\r\n\r\n");
        Origin origin = proxy.origins.last();
        assertThat(origin.received()).startsWith("GET /1 ");
        origin.send("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1");
        assertThat(proxy.response()).endsWith("\r\n\r\n1");
        assertThat(proxy.origins.idle(EmbeddedFrontend.address(APP))).isEqualTo(1);

        proxy.send("GET /2 HTTP/1.1\r\nHost: app.test\r\n\r\n");

        assertThat(proxy.origins.acquired()).containsExactly(APP + " new", APP + " pooled");
        assertThat(proxy.origins.opened()).hasSize(1);
        assertThat(origin.received()).startsWith("GET /2 ");
        origin.send("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2");
        assertThat(proxy.response()).endsWith("\r\n\r\n2");
        assertThat(origin.isOpen()).isTrue();
    }

    @Test
    void originThatSaysCloseIsDiscardedAndTheClientKept() throws Exception {
        proxy(PEER).send("GET /1 HTTP/1.1\r\nHost: app.test\r\n\r\n");
        Origin first = proxy.origins.last();
        first.received();

        first.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");

        assertThat(proxy.response()).startsWith("HTTP/1.1 200 OK\r\n").doesNotContainIgnoringCase("connection:");
        assertThat(first.isOpen()).isFalse();
        assertThat(proxy.origins.idle(EmbeddedFrontend.address(APP))).isZero();
        assertThat(proxy.client.isActive()).isTrue();

        proxy.send("GET /2 HTTP/1.1\r\nHost: app.test\r\n\r\n");
        assertThat(proxy.origins.acquired()).containsExactly(APP + " new", APP + " new");
        assertThat(proxy.origins.last().received()).startsWith("GET /2 ");
        proxy.origins.last().send("HTTP/1.1 204 No Content\r\n\r\n");
        assertThat(proxy.response()).startsWith("HTTP/1.1 204 ");
    }

    @Test
    void originClosingBeforeTheHeadIs502AndAFailureThenASuccessEndsTheRun() throws Exception {
        // not idempotent: never sent twice
        proxy(PEER).send("POST /x HTTP/1.1\r\nHost: app.test\r\nContent-Length: 0\r\n\r\n");
        Origin origin = proxy.origins.last();
        assertThat(origin.received()).startsWith("POST /x ");

        origin.close();

        assertThat(proxy.response()).startsWith("HTTP/1.1 502 Bad Gateway\r\n")
                .doesNotContainIgnoringCase("connection:");
        assertThat(proxy.client.isActive()).as("the request was read whole").isTrue();
        assertThat(proxy.origins.acquired()).hasSize(1);
        ServerState app = state("app", APP);
        assertThat(app.failures()).isEqualTo(1);
        assertThat(app.consecutiveFailures()).isEqualTo(1);
        assertThat(app.inFlight()).isZero();

        proxy.send("GET /y HTTP/1.1\r\nHost: app.test\r\n\r\n");
        proxy.origins.last().received();
        proxy.origins.last().send("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");

        assertThat(proxy.response()).startsWith("HTTP/1.1 200 ");
        assertThat(app.consecutiveFailures()).as("a success ends the run of failures").isZero();
        assertThat(app.failures()).isEqualTo(1);
        assertThat(app.requests()).isEqualTo(2);
    }

    @Test
    void idempotentRequestIsTriedAgainOnTheOtherServer() throws Exception {
        proxy(PEER).send("GET /x HTTP/1.1\r\nHost: pair.test\r\n\r\n");
        Origin first = proxy.origins.last();
        assertThat(first.received()).startsWith("GET /x ");

        first.close(); // reset before any answer

        assertThat(proxy.origins.opened()).hasSize(2);
        Origin second = proxy.origins.last();
        assertThat(second.remote()).isNotEqualTo(first.remote());
        assertThat(second.received()).startsWith("GET /x ");
        assertThat(proxy.response()).isEmpty();
        second.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");

        assertThat(proxy.response()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("ok");
        ServerState failed = state("pair", address(first));
        ServerState answered = state("pair", address(second));
        assertThat(failed.failures()).isEqualTo(1);
        assertThat(answered.failures()).isZero();
        assertThat(failed.inFlight() + answered.inFlight()).isZero();
    }

    @Test
    void everyServerRefusingIs502AfterTryingEachOnce() throws Exception {
        proxy(PEER);
        proxy.origins.refuse(EmbeddedFrontend.address("127.0.0.1:9002"));
        proxy.origins.refuse(EmbeddedFrontend.address("127.0.0.1:9003"));

        proxy.send("GET /x HTTP/1.1\r\nHost: pair.test\r\n\r\n");

        assertThat(proxy.response()).startsWith("HTTP/1.1 502 ");
        assertThat(proxy.origins.acquired()).containsExactlyInAnyOrder(
                "127.0.0.1:9002 refused", "127.0.0.1:9003 refused");
        assertThat(state("pair", "127.0.0.1:9002").failures()).isEqualTo(1);
        assertThat(state("pair", "127.0.0.1:9003").failures()).isEqualTo(1);
        assertThat(proxy.client.isActive()).isTrue();
    }

    @Test
    void staleReusedConnectionIsReplacedWithoutCountingAFailure() throws Exception {
        proxy(PEER).send("GET /1 HTTP/1.1\r\nHost: app.test\r\n\r\n");
        Origin pooled = proxy.origins.last();
        pooled.received();
        pooled.send("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        proxy.response();

        proxy.send("GET /2 HTTP/1.1\r\nHost: app.test\r\n\r\n");
        assertThat(pooled.received()).startsWith("GET /2 ");
        pooled.close(); // the origin had timed the idle connection out as the request went out

        assertThat(proxy.origins.acquired()).containsExactly(APP + " new", APP + " pooled", APP + " new");
        assertThat(proxy.origins.last().received()).startsWith("GET /2 ");
        proxy.origins.last().send("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        assertThat(proxy.response()).startsWith("HTTP/1.1 200 ");
        assertThat(state("app", APP).failures()).isZero();
    }

    @Test
    void responseHeadLaterThanResponseHeaderIs504() throws Exception {
        proxy(PEER).send("GET /slow HTTP/1.1\r\nHost: app.test\r\n\r\n");
        Origin origin = proxy.origins.last();
        origin.received();

        proxy.advance(999);
        assertThat(proxy.response()).isEmpty();

        proxy.advance(1);

        assertThat(proxy.response()).startsWith("HTTP/1.1 504 Gateway Timeout\r\n");
        assertThat(origin.isOpen()).as("its answer may still come: never pooled").isFalse();
        assertThat(proxy.client.isActive()).isTrue();
        assertThat(state("app", APP).failures()).isEqualTo(1);
        assertThat(state("app", APP).inFlight()).isZero();
    }

    @Test
    void theConnectionsOneTimerServesEachRequestsResponseHeadAndThenItsIdleTime() throws Exception {
        proxy(PEER).send("GET /1 HTTP/1.1\r\nHost: app.test\r\n\r\n");
        Origin origin = proxy.origins.last();
        origin.received();
        origin.send("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        assertThat(proxy.response()).startsWith("HTTP/1.1 200 ");
        proxy.advance(600); // idle, the check for the first request's head still pending (due at 1,000 ms)

        proxy.send("GET /2 HTTP/1.1\r\nHost: app.test\r\n\r\n");
        assertThat(origin.received()).startsWith("GET /2 ");
        proxy.advance(999); // the pending check came and went: this request's head is due at 1,600 ms

        assertThat(proxy.response()).isEmpty();
        proxy.advance(1);
        assertThat(proxy.response()).startsWith("HTTP/1.1 504 Gateway Timeout\r\n");

        proxy.advance(59_999); // client_idle (60 s by default) counts from the 504
        assertThat(proxy.client.isActive()).isTrue();
        proxy.advance(1);
        assertThat(proxy.client.isActive()).as("closed once idle for client_idle").isFalse();
    }

    @Test
    void originErrorStatusIsPassedOnAndCountedAsAFailure() throws Exception {
        proxy(PEER).send("GET /x HTTP/1.1\r\nHost: app.test\r\n\r\n");
        proxy.origins.last().received();

        proxy.origins.last().send("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy");

        assertThat(proxy.response()).startsWith("HTTP/1.1 503 Service Unavailable\r\n").endsWith("busy");
        assertThat(state("app", APP).consecutiveFailures()).isEqualTo(1);
        assertThat(proxy.origins.idle(EmbeddedFrontend.address(APP))).as("a whole answer: reusable").isEqualTo(1);
    }

    @Test
    void expectContinueIsAnsweredOnceAnOriginIsReady() throws Exception {
        proxy(PEER).send("PUT /f HTTP/1.1\r\nHost: app.test\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");

        assertThat(proxy.response()).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
        Origin origin = proxy.origins.last();
        proxy.send("hello");
        assertThat(origin.received()).startsWith("PUT /f HTTP/1.1\r\n").doesNotContainIgnoringCase("expect:")
                .endsWith("\r\n\r\nhello");
        origin.send("HTTP/1.1 204 No Content\r\n\r\n");
        assertThat(proxy.response()).startsWith("HTTP/1.1 204 ");
    }

    @Test
    void clientClosingMidResponseDiscardsTheOriginConnection() throws Exception {
        proxy(PEER).send("GET /big HTTP/1.1\r\nHost: app.test\r\n\r\n");
        Origin origin = proxy.origins.last();
        origin.received();
        origin.send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");
        assertThat(proxy.response()).endsWith("hello");

        proxy.client.close();

        // the rest of the body is still coming on that connection: it cannot serve another request
        assertThat(origin.isOpen()).isFalse();
        assertThat(proxy.origins.idle(EmbeddedFrontend.address(APP))).isZero();
        assertThat(state("app", APP).inFlight()).isZero();
        assertThat(state("app", APP).failures()).as("the client left; the server did nothing wrong").isZero();
    }

    private static String address(Origin o) {
        return o.remote().getAddress().getHostAddress() + ":" + o.remote().getPort();
    }
}
