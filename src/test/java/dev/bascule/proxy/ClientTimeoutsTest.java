package dev.bascule.proxy;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.control.ProxySettings;
import dev.bascule.testing.LeakGuard;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The slow-client timers in an {@link EmbeddedChannel} on frozen time: each test moves the clock by hand and runs
 * what is due, and the tail of the pipeline records the {@link ClientTimeouts.Expired} events. The frontend's
 * calls ({@code requestHead}, {@code requestDone}, {@code awaitingRequest}) are made as it would make them.
 */
@ExtendWith(LeakGuard.class)
class ClientTimeoutsTest {
    private static final long HEADER_MS = 1_000;
    private static final long BODY_IDLE_MS = 500;
    private static final long IDLE_MS = 5_000;

    private EmbeddedChannel ch;
    private ClientTimeouts timeouts;
    private final List<Object> expired = new ArrayList<>();

    @BeforeEach
    void open() {
        ch = new EmbeddedChannel();
        ch.config().setAutoRead(false); // as FrontendServer's child channels: reads are asked for one by one
        ch.freezeTime();
        timeouts = new ClientTimeouts(limits(HEADER_MS, BODY_IDLE_MS, IDLE_MS));
        // added to an active channel, as FrontendInitializer adds it to an accepted one: the header clock starts now
        ch.pipeline().addLast(timeouts, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg);
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                expired.add(evt);
            }
        });
    }

    /** Settings with these client timeouts, the rest as {@link RequestProbe#SETTINGS}. */
    static ProxySettings limits(long headerMillis, long bodyIdleMillis, long idleMillis) {
        ProxySettings s = RequestProbe.SETTINGS;
        return new ProxySettings(s.origin(), s.responseHeaderTimeoutMillis(), idleMillis, s.maxUriLength(),
                s.maxHeaderSize(), headerMillis, bodyIdleMillis, s.maxHeaderCount(), s.maxConnections(),
                s.maxConnectionsPerIp(), s.trustedProxies(), s.shutdownGraceMillis(), s.via(), s.underscoreHeaders(),
                s.h2MaxConcurrentStreams(), s.tunnelIdleMillis(), s.streamIdleMillis(), s.requestIds(), s.tracing());
    }

    @AfterEach
    void close() {
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    private void advance(long millis) {
        ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
    }

    private void receive(String bytes) {
        ch.writeInbound(Unpooled.copiedBuffer(bytes, US_ASCII));
    }

    @Test
    void headExpiresClientHeaderAfterTheConnectionOpenedHoweverItTrickles() {
        advance(400);
        receive("GET / HT");
        advance(400);
        receive("TP/1.1\r\nHo");
        advance(199);
        assertThat(expired).isEmpty();

        advance(1);

        // slowloris: bytes that keep coming do not move the deadline
        assertThat(expired).containsExactly(ClientTimeouts.Expired.HEADER);
        advance(IDLE_MS * 10);
        assertThat(expired).as("fired once").containsExactly(ClientTimeouts.Expired.HEADER);
    }

    @Test
    void headInTimeStopsTheHeaderClock() {
        advance(HEADER_MS - 1);
        timeouts.requestHead(false);

        advance(IDLE_MS * 10);

        assertThat(expired).as("a request in flight, however slow its origin, is never idle").isEmpty();
    }

    @Test
    void bodyIdleCountsOnlyWhileBasculeWaitsOnTheClient() {
        receive("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n");
        timeouts.requestHead(true);

        advance(BODY_IDLE_MS * 10);
        assertThat(expired).as("no read asked for: the proxy holds the body back, the client is not late").isEmpty();

        ch.read();
        advance(BODY_IDLE_MS - 1);
        receive("0123456789");
        advance(BODY_IDLE_MS * 10);
        assertThat(expired).as("a byte arrived; no read is pending since").isEmpty();

        ch.read();
        advance(BODY_IDLE_MS - 1);
        assertThat(expired).isEmpty();

        advance(1);

        assertThat(expired).containsExactly(ClientTimeouts.Expired.BODY);
        ch.read();
        advance(BODY_IDLE_MS * 10);
        assertThat(expired).as("fired once").containsExactly(ClientTimeouts.Expired.BODY);
    }

    @Test
    void bodyReadToItsEndStopsTheBodyClock() {
        timeouts.requestHead(true);
        ch.read();
        advance(BODY_IDLE_MS - 1);

        timeouts.requestDone();
        ch.read();
        advance(BODY_IDLE_MS * 10);

        assertThat(expired).isEmpty();
    }

    @Test
    void keepAliveConnectionIsClosedClientIdleAfterItsLastResponse() {
        timeouts.requestHead(false);
        advance(IDLE_MS * 3); // a slow origin: not idle time
        timeouts.awaitingRequest();

        // the idle check wakes once per client_header until client_idle is up
        for (int i = 0; i < 4; i++) {
            advance(HEADER_MS);
        }
        advance(HEADER_MS - 1);
        assertThat(expired).isEmpty();

        advance(1);

        assertThat(expired).containsExactly(ClientTimeouts.Expired.IDLE);
    }

    @Test
    void firstByteOfTheNextRequestStartsItsHeaderClock() {
        timeouts.requestHead(false);
        timeouts.awaitingRequest();
        advance(3_000);

        receive("G");
        advance(HEADER_MS - 1);
        assertThat(expired).isEmpty();

        advance(1);

        assertThat(expired).as("the head is late; the connection was not idle").containsExactly(
                ClientTimeouts.Expired.HEADER);
    }

    @Test
    void busyKeepAliveConnectionReusesThePendingCheck() {
        timeouts.requestHead(false);
        timeouts.awaitingRequest();
        assertThat(ch.runScheduledPendingTasks()).as("one check, one client_header away")
                .isEqualTo(TimeUnit.MILLISECONDS.toNanos(HEADER_MS));

        advance(100);
        receive("GET / HTTP/1.1\r\n\r\n");
        timeouts.requestHead(false);
        timeouts.awaitingRequest();

        // the pending check fires before the new header deadline could: it is kept, not rescheduled
        assertThat(ch.runScheduledPendingTasks()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(HEADER_MS - 100));
        advance(IDLE_MS - 1);
        assertThat(expired).isEmpty();
        advance(1);
        assertThat(expired).containsExactly(ClientTimeouts.Expired.IDLE);
    }

    @Test
    void aDeadlineOfTheFrontendsIsHeardThroughTheSameOneCheck() {
        timeouts.requestHead(false);
        long now = ch.eventLoop().ticker().nanoTime();
        timeouts.wakeAt(now + TimeUnit.MILLISECONDS.toNanos(300));
        timeouts.wakeAt(now + TimeUnit.MILLISECONDS.toNanos(800)); // later: the pending check serves it

        advance(299);
        assertThat(expired).isEmpty();
        advance(1);
        assertThat(expired).as("heard once, by the earliest deadline").containsExactly(
                ClientTimeouts.Expired.DEADLINE);
        advance(IDLE_MS * 10);
        assertThat(expired).as("the frontend arms again if it still waits").hasSize(1);

        timeouts.awaitingRequest();
        timeouts.wakeAt(ch.eventLoop().ticker().nanoTime() + TimeUnit.MILLISECONDS.toNanos(IDLE_MS * 3));
        assertThat(ch.runScheduledPendingTasks()).as("one check for both, the idle one's first")
                .isEqualTo(TimeUnit.MILLISECONDS.toNanos(HEADER_MS));
        advance(IDLE_MS);
        assertThat(expired).containsExactly(ClientTimeouts.Expired.DEADLINE, ClientTimeouts.Expired.IDLE);
    }

    @Test
    void closedConnectionCancelsItsTimer() {
        advance(HEADER_MS / 2);

        ch.close();

        assertThat(ch.runScheduledPendingTasks()).as("nothing left scheduled").isEqualTo(-1);
        advance(IDLE_MS * 10);
        assertThat(expired).isEmpty();
    }
}
