package dev.bascule.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.control.Protocol;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.TestOrigin;
import dev.bascule.tls.OriginTls;
import dev.bascule.upstream.OriginTimeouts;
import dev.bascule.upstream.Server;
import dev.bascule.upstream.ServerState;
import dev.bascule.upstream.WaitingRoom;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The pool and {@code max_connections} over real sockets: a connection holds its server's slot from the start of
 * its connect until it closes, whichever way it closes, and released connections and freed slots go to the
 * requests waiting for them, on their own event loop or another.
 */
@ExtendWith(LeakGuard.class)
class OriginPoolLimitTest {
    /** The timeouts every connection of the test's pool is opened with; set by {@link #pool}. */
    private static OriginTimeouts timeouts;

    private static OriginPool pool(int maxIdlePerServer, int connectMillis, long idleMillis) {
        timeouts = new OriginTimeouts(connectMillis, idleMillis);
        return new OriginPool(NioSocketChannel.class, maxIdlePerServer);
    }

    private EventLoopGroup group;
    private EventLoop loop;
    private EventLoop otherLoop;
    private TestOrigin origin;

    @BeforeEach
    void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        loop = group.next();
        otherLoop = group.next();
        assertThat(otherLoop).isNotSameAs(loop);
        origin = TestOrigin.start("o");
    }

    @AfterEach
    void stop() {
        origin.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private static Server server(String host, int port, int maxConnections) {
        return new Server(host + ":" + port, new InetSocketAddress(host, port), 1, new ServerState(), maxConnections);
    }

    private Server capped(int maxConnections) {
        return server("127.0.0.1", origin.port(), maxConnections);
    }

    private static <T> T on(EventLoop loop, Callable<T> work) throws Exception {
        return loop.submit(work).get(5, TimeUnit.SECONDS);
    }

    private static void run(EventLoop loop, Runnable work) throws Exception {
        loop.submit(work).get(5, TimeUnit.SECONDS);
    }

    /** A request as far as the pool sees it: gets a connection or a failure; may wait in the queue. */
    private static final class Request implements OriginListener, OriginWaiter {
        final OriginPool pool;
        final EventLoop loop;
        final Server server;
        final OriginTls tls;
        final OriginQueue queue;
        volatile OriginHttp1Connection connection;
        volatile boolean reused;
        volatile Throwable failed;
        volatile boolean waiting;
        /** The server's open connections, counted by the proxy, when this request got its connection. */
        volatile int openWhenConnected = -1;

        Request(OriginPool pool, EventLoop loop, Server server, OriginTls tls, OriginQueue queue) {
            this.pool = pool;
            this.loop = loop;
            this.server = server;
            this.tls = tls;
            this.queue = queue;
        }

        /** Asks for a connection; waits in the queue (of size 10) when the server is full. On the loop. */
        void start() {
            if (!pool.acquire(loop, server, tls, Protocol.HTTP1, timeouts, queue, this)) {
                waiting = pool.await(loop, queue, 10, this, false);
            }
        }

        @Override
        public boolean canProceed() {
            return pool.hasRoom(server, tls, Protocol.HTTP1);
        }

        @Override
        public void proceed() {
            waiting = false;
            if (!pool.acquire(loop, server, tls, Protocol.HTTP1, timeouts, queue, this)) {
                waiting = pool.await(loop, queue, 10, this, true);
            }
        }

        @Override
        public long waitDeadline() {
            return 1;
        }

        @Override
        public void originConnected(OriginConnection c, boolean wasReused) {
            reused = wasReused;
            openWhenConnected = server.state().openConnections();
            connection = (OriginHttp1Connection) c; // the pool under test speaks HTTP/1.1
        }

        @Override
        public void originConnectFailed(Throwable cause) {
            failed = cause;
        }

        @Override
        public void originResponseHead(HttpResponse head) {}

        @Override
        public void originResponseContent(HttpContent content) {
            content.release();
        }

        @Override
        public void originReadComplete() {}

        @Override
        public void originWritabilityChanged(boolean writable) {}

        @Override
        public void originClosed(Throwable cause) {}

        @Override
        public boolean closeWhenOriginSilent() {
            return true;
        }
    }

    private Request connect(OriginPool pool, EventLoop on, Server server, OriginQueue queue) throws Exception {
        Request r = new Request(pool, on, server, null, queue);
        run(on, r::start);
        await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(5)).until(() -> r.connection != null || r.failed != null || r.waiting);
        return r;
    }

    @Test
    void theCapRefusesOneMoreUntilAConnectionCloses() throws Exception {
        OriginPool pool = pool(8, 1000, 60_000);
        Server s = capped(2);
        Request a = connect(pool, loop, s, null);
        Request b = connect(pool, loop, s, null);
        assertThat(a.connection).isNotNull();
        assertThat(b.connection).isNotNull();
        assertThat(s.state().openConnections()).isEqualTo(2);
        // A connect completes when the kernel accepts; the origin's loop may count it a moment later.
        await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(5))
                .until(() -> origin.openConnections() == 2);
        assertThat(on(loop, () -> pool.hasRoom(s, null, Protocol.HTTP1))).isFalse();
        assertThat(on(loop, () -> pool.acquire(loop, s, null, Protocol.HTTP1, timeouts, null, new Request(pool, loop, s, null, null)))).isFalse();

        run(loop, () -> a.connection.release()); // idle in the pool: still open, still counted, usable here
        assertThat(s.state().openConnections()).isEqualTo(2);
        assertThat(on(loop, () -> pool.hasRoom(s, null, Protocol.HTTP1))).isTrue();
        assertThat(on(otherLoop, () -> pool.hasRoom(s, null, Protocol.HTTP1))).as("the idle one is on the other loop").isFalse();
        Request again = connect(pool, loop, s, null);
        assertThat(again.reused).isTrue();
        assertThat(again.connection).isSameAs(a.connection);

        run(loop, () -> b.connection.discard());
        await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(5)).until(() -> s.state().openConnections() == 1);
        assertThat(on(otherLoop, () -> pool.hasRoom(s, null, Protocol.HTTP1))).isTrue();
        assertThat(origin.peakOpenConnections()).isEqualTo(2);
    }

    @Test
    void everyWayAConnectionClosesGivesItsSlotBackOnce() throws Exception {
        OriginPool pool = pool(1, 1000, 1000);
        Server s = capped(10);

        // pool overflow: one idle connection per server and loop here, so the second release closes
        Request a = connect(pool, loop, s, null);
        Request b = connect(pool, loop, s, null);
        run(loop, () -> {
            a.connection.release();
            b.connection.release();
        });
        await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofMillis(900))
                .until(() -> s.state().openConnections() == 1);

        // idle timeout closes the pooled one
        await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(5)).until(() -> s.state().openConnections() == 0);

        // the origin closing its side
        Request c = connect(pool, loop, s, null);
        run(loop, () -> c.connection.release());
        assertThat(s.state().openConnections()).isEqualTo(1);
        origin.close();
        await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(5)).until(() -> s.state().openConnections() == 0);

        // a refused connect
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        Server refusing = server("127.0.0.1", closedPort, 10);
        Request refused = connect(pool, loop, refusing, null);
        assertThat(refused.failed).isNotNull();
        await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(5)).until(() -> refusing.state().openConnections() == 0);
    }

    @Test
    void aFailedTlsHandshakeGivesItsSlotBack() throws Exception {
        OriginPool pool = pool(8, 1000, 60_000);
        Server s = capped(1);
        OriginTls tls = new OriginTls(SslContextBuilder.forClient()
                .trustManager(InsecureTrustManagerFactory.INSTANCE).build(), "127.0.0.1");
        Request r = new Request(pool, loop, s, tls, null);
        run(loop, r::start); // TLS to an origin that speaks plain HTTP
        await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(5)).until(() -> r.failed != null);
        await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(5)).until(() -> s.state().openConnections() == 0);
        assertThat(r.connection).isNull();
    }

    @Test
    void aReleasedConnectionGoesStraightToTheFirstWaiterOnItsLoop() throws Exception {
        OriginPool pool = pool(8, 1000, 60_000);
        OriginQueue queue = OriginQueue.of(new WaitingRoom());
        Server s = capped(1);
        Request holder = connect(pool, loop, s, queue);
        Request first = connect(pool, loop, s, queue);
        Request second = connect(pool, loop, s, queue);
        assertThat(first.waiting).isTrue();
        assertThat(second.waiting).isTrue();
        assertThat(queue.length()).isEqualTo(2);

        run(loop, () -> holder.connection.release());
        assertThat(first.connection).isSameAs(holder.connection);
        assertThat(first.reused).isTrue();
        assertThat(second.connection).isNull();
        assertThat(queue.length()).isEqualTo(1);

        run(loop, () -> first.connection.discard()); // a freed slot: the next waiter opens a new connection
        await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(5)).until(() -> second.connection != null);
        assertThat(second.reused).isFalse();
        assertThat(queue.length()).isZero();
        // the discarded connection is counted until its close completes, which may come after the next connect
        await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(5))
                .until(() -> s.state().openConnections() == 1);
        assertThat(origin.connectionsAccepted()).isEqualTo(2);
        // The discarded connection had closed when the new one connected. The origin's own count cannot show
        // it: it may accept the new connection before it reads the old one's end.
        assertThat(second.openWhenConnected).isEqualTo(1);
    }

    @Test
    void aConnectionReleasedOnALoopWithoutWaitersIsClosedForAWaiterOnAnother() throws Exception {
        OriginPool pool = pool(8, 1000, 60_000);
        OriginQueue queue = OriginQueue.of(new WaitingRoom());
        Server s = capped(1);
        Request holder = connect(pool, loop, s, queue);
        Request elsewhere = connect(pool, otherLoop, s, queue);
        assertThat(elsewhere.waiting).isTrue();

        run(loop, () -> holder.connection.release());
        await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(5)).until(() -> elsewhere.connection != null);
        assertThat(elsewhere.connection.channel().eventLoop()).isSameAs(otherLoop);
        assertThat(on(loop, () -> pool.idleOnThisLoop(s, null))).as("closed, not pooled").isZero();
        assertThat(queue.length()).isZero();
        assertThat(elsewhere.openWhenConnected).as("the released connection had closed").isEqualTo(1);
    }

    @Test
    void anOriginThatKeepsItsEndOpenLosesTheConnectionAfterTheGrace() throws Exception {
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        try (ServerSocket stubborn = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    for (;;) {
                        accepted.add(stubborn.accept()); // never reads, never closes
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            OriginPool pool = pool(8, 1000, 60_000);
            OriginQueue queue = OriginQueue.of(new WaitingRoom());
            Server s = server("127.0.0.1", stubborn.getLocalPort(), 1);
            Request holder = connect(pool, loop, s, queue);
            Request elsewhere = connect(pool, otherLoop, s, queue);
            assertThat(elsewhere.waiting).isTrue();

            long released = System.nanoTime();
            run(loop, () -> holder.connection.release());
            await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(5))
                    .until(() -> elsewhere.connection != null);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - released))
                    .isGreaterThanOrEqualTo(OriginHttp1Connection.HALF_CLOSE_GRACE_MILLIS - 50);
            assertThat(s.state().openConnections()).isEqualTo(1);
        } finally {
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    @Test
    void anIdleConnectionOnAnotherLoopIsGivenUpForANewWaiter() throws Exception {
        OriginPool pool = pool(8, 1000, 60_000);
        OriginQueue queue = OriginQueue.of(new WaitingRoom());
        Server s = capped(1);
        Request before = connect(pool, loop, s, queue);
        run(loop, () -> before.connection.release()); // idle on the first loop, nobody waiting yet
        assertThat(on(loop, () -> pool.idleOnThisLoop(s, null))).isEqualTo(1);

        Request waiter = connect(pool, otherLoop, s, queue);
        await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(5)).until(() -> waiter.connection != null);
        assertThat(waiter.reused).isFalse();
        assertThat(s.state().openConnections()).isEqualTo(1);
        assertThat(waiter.openWhenConnected).as("the idle connection had closed").isEqualTo(1);
    }
}
