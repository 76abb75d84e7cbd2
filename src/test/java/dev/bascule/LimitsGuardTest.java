package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.config.BasculeConfig;
import dev.bascule.config.LimitsConfig;
import dev.bascule.config.RouteConfig;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestOrigin;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Header count, request body size per route, and connections per listener and per client address. */
@ExtendWith(LeakGuard.class)
class LimitsGuardTest {
    private TestOrigin origin;
    private ProxyUnderTest proxy;

    @BeforeEach
    void startOrigin() throws Exception {
        origin = TestOrigin.start("app-01");
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        origin.close();
    }

    /** The YAML keys for these limits are loaded elsewhere; the config records carry them here. */
    private void start(LimitsConfig limits, long maxBodySize) throws Exception {
        BasculeConfig c = ProxyUnderTest.parse("""
                listeners: [ { address: 127.0.0.1:0 } ]
                upstreams: { app: { servers: [ { address: %s } ] } }
                routes: [ { match: { path_prefix: / }, upstream: app } ]
                """.formatted(origin.address()));
        RouteConfig r = c.routes().get(0);
        RouteConfig limited = new RouteConfig(r.host(), r.pathPrefix(), r.stripPrefix(), r.upstream(), r.retry(),
                r.allow(), r.deny(), r.rateLimit(), maxBodySize, r.websocket(), r.name());
        proxy = ProxyUnderTest.start(new BasculeConfig(c.source(), c.listeners(), c.admin(), c.timeouts(), limits,
                c.upstreams(), List.of(limited), c.shutdownGrace(), c.trustedProxies(), c.via(), c.requestId(),
                c.tracing(), c.accessLog()), 1);
    }

    @Test
    void tooManyHeaderFieldsIs431() throws Exception {
        start(new LimitsConfig(8192, 32768, 10, 10000, 0), -1);
        try (RawHttp c = proxy.raw()) {
            assertThat(c.exchange(request(9)).status()).as("Host and 9 more: 10 fields").isEqualTo(200);
            RawHttp.Response r = c.exchange(request(10) + "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(r.status()).isEqualTo(431);
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(origin.requests()).isEqualTo(1);
    }

    private static String request(int extraHeaders) {
        StringBuilder b = new StringBuilder("GET /h HTTP/1.1\r\nHost: app.test\r\n");
        for (int i = 0; i < extraHeaders; i++) {
            b.append("X-H").append(i).append(": v\r\n");
        }
        return b.append("\r\n").toString();
    }

    @Test
    void declaredBodyOverTheLimitIs413BeforeAnyOriginIsContacted() throws Exception {
        start(LimitsConfig.DEFAULTS, 100);
        try (RawHttp c = proxy.raw()) {
            RawHttp.Response ok = c.exchange("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n"
                    + "x".repeat(100));
            assertThat(ok.bodyText()).isEqualTo("100");
        }
        int connections = origin.connectionsAccepted();
        try (RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.exchange("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n"
                    + "Expect: 100-continue\r\n\r\n");
            assertThat(r.status()).as("no 100 Continue, straight to 413").isEqualTo(413);
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(origin.requests()).isEqualTo(1);
        assertThat(origin.connectionsAccepted()).isEqualTo(connections);
    }

    @Test
    void chunkedBodyCrossingTheLimitIsCutAndTheOriginConnectionDiscarded() throws Exception {
        start(LimitsConfig.DEFAULTS, 100);
        try (RawHttp c = proxy.raw()) {
            c.send("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3c\r\n" + "x".repeat(60) + "\r\n");
            // The origin connection carries part of the body before the limit is crossed. Were both chunks read
            // before it connected (one read can take them both), the 413 would leave it unused, and an unused
            // connection goes back to the pool rather than being closed.
            await().atMost(Duration.ofSeconds(5)).until(() -> origin.bytesUploaded() > 0);
            c.send("3c\r\n" + "y".repeat(60) + "\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n");
            RawHttp.Response r = c.read(false);
            assertThat(r.status()).isEqualTo(413);
            assertThat(c.closedByPeer()).isTrue();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> origin.openConnections() == 0);
        assertThat(origin.bytesUploaded()).isLessThanOrEqualTo(100);
        assertThat(origin.recorded()).extracting(TestOrigin.Recorded::uri).doesNotContain("/smuggled");
        try (RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.exchange("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "32\r\n" + "z".repeat(50) + "\r\n32\r\n" + "z".repeat(50) + "\r\n0\r\n\r\n");
            assertThat(r.bodyText()).as("exactly at the limit").isEqualTo("100");
        }
    }

    @Test
    void connectionsOverTheListenerLimitAreClosedAtAccept() throws Exception {
        start(new LimitsConfig(8192, 32768, 100, 3, 0), -1);
        List<RawHttp> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawHttp c = proxy.raw();
                open.add(c);
                assertThat(c.exchange("GET / HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
            }
            try (RawHttp extra = proxy.raw()) {
                assertThat(extra.closedByPeer()).as("fourth connection refused").isTrue();
            }
            open.remove(0).close();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                try (RawHttp again = proxy.raw()) {
                    assertThat(again.exchange("GET / HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
                }
            });
        } finally {
            for (RawHttp c : open) {
                c.close();
            }
        }
    }

    @Test
    void connectionsOverThePerAddressLimitAreClosedOthersStillServed() throws Exception {
        start(new LimitsConfig(8192, 32768, 100, 10000, 2), -1);
        List<Socket> open = new ArrayList<>();
        try {
            open.add(connectFrom("127.0.0.1"));
            open.add(connectFrom("127.0.0.1"));
            try (Socket third = connectFrom("127.0.0.1")) {
                third.setSoTimeout(5000);
                assertThat(readsEof(third)).as("third from 127.0.0.1 refused").isTrue();
            }
            try (Socket other = connectFrom("127.0.0.2")) {
                other.getOutputStream().write("GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes());
                other.setSoTimeout(5000);
                byte[] head = other.getInputStream().readNBytes(12);
                assertThat(new String(head)).as("another address is served").isEqualTo("HTTP/1.1 200");
            }
            open.remove(0).close(); // counted out by the address the closed connection still reports
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                try (Socket again = connectFrom("127.0.0.1")) {
                    again.getOutputStream().write("GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes());
                    again.setSoTimeout(5000);
                    assertThat(new String(again.getInputStream().readNBytes(12))).isEqualTo("HTTP/1.1 200");
                }
            });
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    private Socket connectFrom(String localAddress) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(localAddress, 0));
        s.connect(proxy.address(), 2000);
        return s;
    }

    private static boolean readsEof(Socket s) throws IOException {
        try {
            return s.getInputStream().read() == -1;
        } catch (java.net.SocketException e) {
            return true; // reset
        }
    }
}
