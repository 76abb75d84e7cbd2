package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestOrigin;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Request and response heads are reused from one exchange to the next on an event loop ({@code SpareHeads}): under
 * concurrent keep-alive load on one loop, with heads of every size and answers of Bascule's own mixed in, every
 * origin sees exactly the fields of the request it was sent and every client exactly those of its own response,
 * nothing of another's.
 */
@ExtendWith(LeakGuard.class)
class HeadReuseTest {
    private static final int CLIENTS = 12;
    private static final int REQUESTS = 60;

    private static TestOrigin origin;
    private static ProxyUnderTest proxy;

    @BeforeAll
    static void start() throws Exception {
        origin = TestOrigin.start("app");
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort(); // nothing listens there once closed: the exchange answers 502 or 503
        }
        proxy = ProxyUnderTest.start("""
                listeners: [ { address: 127.0.0.1:0 } ]
                upstreams:
                  app: { servers: [ { address: %s } ] }
                  dead: { servers: [ { address: 127.0.0.1:%d } ] }
                routes:
                  - { match: { path_prefix: /refused }, upstream: app, deny: [ 127.0.0.0/8 ] }
                  - { match: { path_prefix: /dead }, upstream: dead }
                  - { match: { path_prefix: / }, upstream: app }
                """.formatted(origin.address(), closedPort), 1);
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        origin.close();
    }

    @Test
    void everyExchangeSeesItsOwnHeadsOnly() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                done.add(clients.submit(() -> oneClient(client)));
            }
            int checked = 0;
            for (Future<Integer> f : done) {
                checked += f.get(60, TimeUnit.SECONDS);
            }
            assertThat(checked).isEqualTo(CLIENTS * REQUESTS);
        } finally {
            clients.shutdownNow();
        }
    }

    /** One keep-alive connection's requests, each checked; returns how many. */
    private static Integer oneClient(int client) throws Exception {
        int checked = 0;
        try (RawHttp c = proxy.raw()) {
            for (int r = 0; r < REQUESTS; r++) {
                String mark = "c" + client + "-r" + r;
                // From no extra field to many, and values from short to long, so that a head reused is both
                // larger and smaller than the one before it.
                int extras = (client * 7 + r * 3) % 9;
                StringBuilder head = new StringBuilder();
                for (int k = 0; k < extras; k++) {
                    head.append("X-Echo-").append(k).append(": ").append(mark).append("-")
                            .append("v".repeat((r * 13 + k * 31) % 200)).append("\r\n");
                }
                if (r % 10 == 9 || r % 10 == 4) {
                    // Answers of Bascule's own: a refusal before any exchange, and an origin that is not there.
                    boolean refused = r % 10 == 9;
                    RawHttp.Response own = c.exchange("GET " + (refused ? "/refused/" : "/dead/") + mark
                            + " HTTP/1.1\r\nHost: app.test\r\n" + head + "\r\n");
                    assertThat(own.status()).as(mark).isIn(refused ? List.of(403) : List.of(502, 503));
                    assertThat(own.header("x-echo-0")).isNull();
                    checked++;
                    continue;
                }
                RawHttp.Response res = c.exchange("GET /echo-headers?m=" + mark + " HTTP/1.1\r\nHost: app.test\r\n"
                        + "X-Mark: " + mark + "\r\n" + head + "\r\n");
                assertThat(res.status()).isEqualTo(200);
                String seen = res.bodyText();
                assertThat(seen).as(mark).contains("x-mark: " + mark + "\n");
                assertThat(seen.split("x-mark: ", -1)).as(mark).hasSize(2);
                int echoedFields = 0;
                for (String line : seen.split("\n")) {
                    if (line.startsWith("x-echo-")) {
                        assertThat(line).as(mark).contains(": " + mark + "-");
                        echoedFields++;
                    }
                }
                assertThat(echoedFields).as(mark).isEqualTo(extras);
                for (int k = 0; k < 9; k++) {
                    String echoed = res.header("x-echo-" + k);
                    if (k < extras) {
                        assertThat(echoed).as(mark).startsWith(mark + "-");
                    } else {
                        assertThat(echoed).as(mark).isNull();
                    }
                }
                assertThat(res.header("via")).as(mark).isEqualTo("1.1 bascule");
                checked++;
            }
        }
        return checked;
    }
}
