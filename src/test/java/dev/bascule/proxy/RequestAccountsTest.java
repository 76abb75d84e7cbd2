package dev.bascule.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.balance.Balancers;
import dev.bascule.config.ConfigLoader;
import dev.bascule.control.ControlPlane;
import dev.bascule.control.Resolver;
import dev.bascule.control.Snapshot;
import dev.bascule.stats.ExchangeRecord;
import dev.bascule.stats.ListenerStats;
import dev.bascule.testing.ProxyUnderTest;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Clock;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The accounts of HTTP/1 connections borrow their records from the event loop's pool per request: an idle
 * connection holds none, a busy one allocates none, and a write that comes after an account closed never reaches
 * the record another connection borrowed since.
 */
class RequestAccountsTest {
    private static ControlPlane control;
    private static Snapshot snapshot;
    private final ListenerStats listener = ListenerStats.detached("l");
    private final EmbeddedChannel channel = new EmbeddedChannel();

    @BeforeAll
    static void build() throws Exception {
        control = ControlPlane.start(ProxyUnderTest.withoutAccessLog(new ConfigLoader(Balancers.standard().names())
                .parse("""
                        listeners: [ { address: 127.0.0.1:0 } ]
                        upstreams: { app: { servers: [ { address: 127.0.0.1:9001 } ] } }
                        routes: [ { upstream: app } ]
                        """, "t.yaml")), Balancers.standard(), Resolver.SYSTEM, Clock.systemUTC(), System::nanoTime,
                Executors.newSingleThreadScheduledExecutor());
        snapshot = control.live().get();
    }

    @AfterAll
    static void stop() {
        control.close();
    }

    @AfterEach
    void finish() {
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    private void open(RequestAccounts accounts, String target) {
        accounts.open(snapshot, new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target), "203.0.113.9",
                channel.pipeline(), 0);
    }

    @Test
    void aRequestBorrowsItsRecordAndTheNextRequestOnTheLoopReusesIt() {
        RequestAccounts first = new RequestAccounts(listener);
        RequestAccounts second = new RequestAccounts(listener);
        open(first, "/a");
        ExchangeRecord lent = first.record();
        assertThat(lent.target()).isEqualTo("/a");

        first.close(200, 10);

        assertThat(first.isOpen()).isFalse();
        assertThat(first.record()).as("an idle connection holds no record").isNotSameAs(lent)
                .isSameAs(RecordPool.unread());
        assertThat(lent.target()).as("given back without the request's text").isNull();
        open(second, "/b");
        assertThat(second.record()).as("no allocation: the record given back").isSameAs(lent);

        first.record().status(504, null); // a late write to the closed account of the first connection

        assertThat(second.record().hasStatus()).as("the second connection's account is untouched").isFalse();
        assertThat(second.record().target()).isEqualTo("/b");
        second.close(200, 20);
    }

    @Test
    void aKeepAliveConnectionKeepsOneRecordBusyAndNoneIdle() {
        RequestAccounts accounts = new RequestAccounts(listener);
        open(accounts, "/1");
        ExchangeRecord lent = accounts.record();
        accounts.close(200, 10);
        open(accounts, "/2");
        assertThat(accounts.record()).isSameAs(lent);
        accounts.close(200, 20);
        assertThat(accounts.record()).isSameAs(RecordPool.unread());
    }
}
