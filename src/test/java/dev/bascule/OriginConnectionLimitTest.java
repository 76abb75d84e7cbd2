package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.control.Pool;
import dev.bascule.control.Status;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestOrigin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code max_connections} and the upstream queue over real sockets: the origin never sees more connections than
 * the cap, requests wait their turn (in arrival order on one event loop) and get 503 with Retry-After when the
 * queue is full or their wait is over, a server with room is used before anyone waits, and a client that leaves
 * while waiting frees its place.
 */
@ExtendWith(LeakGuard.class)
class OriginConnectionLimitTest {
    private final List<TestOrigin> origins = new ArrayList<>();
    private final List<RawHttp> clients = new ArrayList<>();
    private ProxyUnderTest proxy;
    private ExecutorService pool;

    @AfterEach
    void stop() throws Exception {
        for (RawHttp c : clients) {
            c.close();
        }
        if (pool != null) {
            pool.shutdownNow();
        }
        if (proxy != null) {
            proxy.close();
        }
        origins.forEach(TestOrigin::close);
    }

    private TestOrigin origin(String name) throws Exception {
        TestOrigin o = TestOrigin.start(name);
        origins.add(o);
        return o;
    }

    /** @param upstream the lines of upstream {@code app} below its name, indented by four spaces */
    private void startProxy(int threads, String upstream) throws Exception {
        proxy = ProxyUnderTest.start("""
                listeners: [ { address: 127.0.0.1:0 } ]
                timeouts: { connect: 1s, response_header: 10s }
                upstreams:
                  app:
                %s
                routes: [ { upstream: app } ]
                """.formatted(upstream), threads);
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: app.test\r\n\r\n";
    }

    /** Sends {@code path} on a new connection without waiting for the answer. */
    private RawHttp send(String path) throws Exception {
        RawHttp c = proxy.raw();
        clients.add(c);
        c.send(get(path));
        return c;
    }

    private Pool app() {
        return proxy.bascule().control().live().get().pools().get("app");
    }

    private int queueLength() {
        return app().queueLength();
    }

    private Status.UpstreamStatus status() throws Exception {
        return proxy.bascule().control().status().get(5, TimeUnit.SECONDS).upstreams().get("app");
    }

    @Test
    void theOriginNeverSeesMoreThanTheCapAndEveryQueuedRequestSucceeds() throws Exception {
        TestOrigin slow = origin("slow");
        startProxy(2, """
                    servers: [ { address: %s, max_connections: 4 } ]
                    queue: { size: 100, timeout: 10s }
                """.formatted(slow.address()));
        int clientCount = 40;
        int requestsEach = 2;
        pool = Executors.newFixedThreadPool(clientCount);
        AtomicInteger peakQueue = new AtomicInteger();
        List<Future<List<Integer>>> results = new ArrayList<>();
        for (int i = 0; i < clientCount; i++) {
            results.add(pool.submit(() -> {
                List<Integer> statuses = new ArrayList<>();
                try (RawHttp c = proxy.raw()) {
                    for (int r = 0; r < requestsEach; r++) {
                        statuses.add(c.exchange(get("/delay?ms=200")).status());
                        peakQueue.accumulateAndGet(queueLength(), Math::max);
                    }
                }
                return statuses;
            }));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> queueLength() > 0);
        Status.UpstreamStatus during = status();
        assertThat(during.queueLength()).isPositive();
        assertThat(during.servers().get(0).maxConnections()).isEqualTo(4);
        assertThat(during.servers().get(0).openConnections()).isBetween(1, 4);

        for (Future<List<Integer>> f : results) {
            assertThat(f.get(30, TimeUnit.SECONDS)).containsOnly(200);
        }
        assertThat(slow.requests()).isEqualTo(clientCount * requestsEach);
        assertThat(slow.peakOpenConnections()).isBetween(1, 4);
        assertThat(queueLength()).isZero();
        assertThat(app().members().get(0).state().openConnections()).isBetween(1, 4);
        // The pooled connections are all the server holds: the counter and the origin agree.
        await().atMost(Duration.ofSeconds(5)).until(
                () -> app().members().get(0).state().openConnections() == slow.openConnections());
    }

    @Test
    void onOneEventLoopTheQueueDrainsInArrivalOrder() throws Exception {
        TestOrigin origin = origin("o");
        startProxy(1, """
                    servers: [ { address: %s, max_connections: 1 } ]
                    queue: { size: 50, timeout: 10s }
                """.formatted(origin.address()));
        List<RawHttp> sent = new ArrayList<>();
        sent.add(send("/delay?ms=1500&n=0"));
        await().atMost(Duration.ofSeconds(5)).until(() -> origin.requests() == 1);
        int waiting = 8;
        for (int n = 1; n <= waiting; n++) {
            sent.add(send("/delay?ms=10&n=" + n));
            int expected = n;
            await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(5))
                    .until(() -> queueLength() == expected);
        }
        for (RawHttp c : sent) {
            assertThat(c.read(false).status()).isEqualTo(200);
        }
        List<String> order = origin.recorded().stream().map(TestOrigin.Recorded::uri).toList();
        List<String> expected = new ArrayList<>();
        expected.add("/delay?ms=1500&n=0");
        for (int n = 1; n <= waiting; n++) {
            expected.add("/delay?ms=10&n=" + n);
        }
        assertThat(order).containsExactlyElementsOf(expected);
        assertThat(origin.peakOpenConnections()).isEqualTo(1);
    }

    @Test
    void aFullQueueAnswers503WithRetryAfterAtOnce() throws Exception {
        TestOrigin origin = origin("o");
        startProxy(2, """
                    servers: [ { address: %s, max_connections: 1 } ]
                    queue: { size: 2, timeout: 10s }
                """.formatted(origin.address()));
        RawHttp holder = send("/delay?ms=1500");
        await().atMost(Duration.ofSeconds(5)).until(() -> origin.requests() == 1);
        RawHttp first = send("/");
        RawHttp second = send("/");
        await().atMost(Duration.ofSeconds(5)).until(() -> queueLength() == 2); // size counts every event loop

        RawHttp.Response overflow = proxy.raw().exchange(get("/"));
        assertThat(overflow.status()).isEqualTo(503);
        assertThat(overflow.header("retry-after")).isEqualTo("5");
        assertThat(queueLength()).isEqualTo(2); // answered while the others still wait

        assertThat(holder.read(false).status()).isEqualTo(200);
        assertThat(first.read(false).status()).isEqualTo(200);
        assertThat(second.read(false).status()).isEqualTo(200);
        assertThat(origin.requests()).isEqualTo(3);
        assertThat(origin.peakOpenConnections()).isEqualTo(1);
    }

    @Test
    void aRequestThatWaitsLongerThanTheQueueTimeoutGets503() throws Exception {
        TestOrigin origin = origin("o");
        startProxy(1, """
                    servers: [ { address: %s, max_connections: 1 } ]
                    queue: { size: 10, timeout: 300ms }
                """.formatted(origin.address()));
        RawHttp holder = send("/delay?ms=3000");
        await().atMost(Duration.ofSeconds(5)).until(() -> origin.requests() == 1);

        long start = System.nanoTime();
        RawHttp.Response timedOut = proxy.raw().exchange(get("/"));
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(timedOut.status()).isEqualTo(503);
        assertThat(timedOut.header("retry-after")).isEqualTo("5");
        assertThat(waitedMillis).isBetween(250L, 2500L);
        assertThat(queueLength()).isZero();

        assertThat(holder.read(false).status()).isEqualTo(200);
        assertThat(origin.requests()).isEqualTo(1);
    }

    @Test
    void withoutAQueueEveryServerFullIs503AtOnce() throws Exception {
        TestOrigin origin = origin("o");
        startProxy(2, """
                    servers: [ { address: %s, max_connections: 1 } ]
                """.formatted(origin.address()));
        RawHttp holder = send("/delay?ms=1500");
        await().atMost(Duration.ofSeconds(5)).until(() -> origin.requests() == 1);

        long start = System.nanoTime();
        RawHttp.Response full = proxy.raw().exchange(get("/"));
        assertThat(full.status()).isEqualTo(503);
        assertThat(full.header("retry-after")).isEqualTo("5");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1000);
        assertThat(holder.read(false).status()).isEqualTo(200);
    }

    @Test
    void aServerWithRoomIsUsedBeforeAnyRequestWaits() throws Exception {
        TestOrigin a = origin("a");
        TestOrigin b = origin("b");
        // Weights 1000:1 make round robin pick a nearly always, so the second request finds its pick full.
        startProxy(1, """
                    servers: [ { address: %s, weight: 1000, max_connections: 1 },
                               { address: %s, max_connections: 1 } ]
                    queue: { size: 10, timeout: 10s }
                """.formatted(a.address(), b.address()));
        RawHttp first = send("/delay?ms=800");
        await().atMost(Duration.ofSeconds(5)).until(() -> a.requests() == 1);
        RawHttp second = send("/delay?ms=800");
        await().atMost(Duration.ofSeconds(5)).until(() -> b.requests() == 1);
        assertThat(queueLength()).isZero();

        RawHttp third = send("/");
        await().atMost(Duration.ofSeconds(5)).until(() -> queueLength() == 1); // now every server is full

        assertThat(first.read(false).header("x-origin")).isEqualTo("a");
        assertThat(second.read(false).header("x-origin")).isEqualTo("b");
        RawHttp.Response late = third.read(false);
        assertThat(late.status()).isEqualTo(200);
        assertThat(a.peakOpenConnections()).isEqualTo(1);
        assertThat(b.peakOpenConnections()).isEqualTo(1);
    }

    @Test
    void aWaitingRequestDoesNotGoToAServerDrainedWhileItWaited() throws Exception {
        TestOrigin a = origin("a");
        TestOrigin b = origin("b");
        startProxy(1, """
                    servers: [ { address: %s, max_connections: 1 }, { address: %s, max_connections: 1 } ]
                    queue: { size: 10, timeout: 10s }
                """.formatted(a.address(), b.address()));
        RawHttp onA = send("/delay?ms=1500");
        RawHttp onB = send("/delay?ms=300");
        await().atMost(Duration.ofSeconds(5)).until(() -> a.requests() == 1 && b.requests() == 1);
        RawHttp waiting = send("/");
        await().atMost(Duration.ofSeconds(5)).until(() -> queueLength() == 1);

        proxy.bascule().control().drain("app", b.address(), true).get(5, TimeUnit.SECONDS);
        assertThat(onB.read(false).header("x-origin")).isEqualTo("b"); // b's slot frees: not for a drained server
        assertThat(queueLength()).isEqualTo(1);

        assertThat(onA.read(false).header("x-origin")).isEqualTo("a");
        assertThat(waiting.read(false).header("x-origin")).isEqualTo("a");
        assertThat(b.requests()).isEqualTo(1);
    }

    @Test
    void aQueuedRequestWhoseConnectFailsFollowsTheRetryRules() throws Exception {
        TestOrigin origin = origin("o");
        startProxy(1, """
                    servers: [ { address: %s, max_connections: 1 } ]
                    queue: { size: 10, timeout: 10s }
                """.formatted(origin.address()));
        RawHttp holder = send("/delay?ms=3000");
        await().atMost(Duration.ofSeconds(5)).until(() -> origin.requests() == 1);
        RawHttp waiting = send("/");
        await().atMost(Duration.ofSeconds(5)).until(() -> queueLength() == 1);

        origin.close(); // the held connection breaks, and the freed slot's connect is refused
        assertThat(waiting.read(false).status()).as("no server left to try: 502, not a hang").isEqualTo(502);
        assertThat(holder.read(false).status()).isEqualTo(502);
        assertThat(queueLength()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> app().members().get(0).state().openConnections() == 0);
    }

    @Test
    void aClientThatLeavesWhileWaitingFreesItsPlace() throws Exception {
        TestOrigin origin = origin("o");
        startProxy(2, """
                    servers: [ { address: %s, max_connections: 1 } ]
                    queue: { size: 1, timeout: 10s }
                """.formatted(origin.address()));
        RawHttp holder = send("/delay?ms=1500");
        await().atMost(Duration.ofSeconds(5)).until(() -> origin.requests() == 1);
        RawHttp leaving = send("/gone");
        await().atMost(Duration.ofSeconds(5)).until(() -> queueLength() == 1);

        leaving.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> queueLength() == 0);

        RawHttp next = send("/next"); // the queue holds one: this is only let in if the leaver's place was freed
        await().atMost(Duration.ofSeconds(5)).until(() -> queueLength() == 1);
        assertThat(holder.read(false).status()).isEqualTo(200);
        assertThat(next.read(false).status()).isEqualTo(200);
        assertThat(origin.recorded().stream().map(TestOrigin.Recorded::uri)).containsExactly("/delay?ms=1500", "/next");
    }
}
