package dev.bascule.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.stats.ListenerStats;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The server's open connections, one list per event loop linked through the connections' accounts: counted in at
 * accept and out by the close listener, in any order, and walked on their loops.
 */
class OpenConnectionsTest {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, LocalIoHandler.newFactory());
    private final OpenConnections open = new OpenConnections();
    private final ConnectionLimiter limiter = new ConnectionLimiter(new ConcurrentHashMap<>(), open);
    private final ListenerStats stats = ListenerStats.detached("l");

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A registered channel counted in on its loop, as FrontendInitializer counts an accepted one. */
    private Channel accepted() throws Exception {
        LocalChannel ch = new LocalChannel();
        group.register(ch).sync();
        ch.eventLoop().submit(() -> {
            ConnectionLimiter.Counted counted = limiter.tryAdmit(ch, 0, 0);
            ch.closeFuture().addListener(new ConnectionAccount(stats, limiter, counted, ch));
        }).sync();
        return ch;
    }

    @Test
    void connectionsLeaveTheirListInAnyOrder() throws Exception {
        List<Channel> channels = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            channels.add(accepted());
        }
        assertThat(open.size()).isEqualTo(7);
        assertThat(open.list()).containsExactlyInAnyOrderElementsOf(channels);

        // the middle of a list, the newest (a list's head) and the oldest (its tail)
        for (int i : new int[] {3, 6, 0}) {
            channels.get(i).close().sync();
        }

        assertThat(open.list()).containsExactlyInAnyOrder(channels.get(1), channels.get(2), channels.get(4),
                channels.get(5));
        assertThat(open.size()).isEqualTo(4);
        assertThat(limiter.open()).isEqualTo(4);
    }

    @Test
    void aWalkThatClosesEachConnectionReachesEveryOneOnce() throws Exception {
        for (int i = 0; i < 10; i++) {
            accepted();
        }
        List<Channel> walked = java.util.Collections.synchronizedList(new ArrayList<>());

        open.forEach(ch -> {
            walked.add(ch);
            ch.close(); // unlinks it while the walk goes on
        });

        assertThat(open.awaitEmpty(System.nanoTime() + TimeUnit.SECONDS.toNanos(5))).isTrue();
        assertThat(walked).hasSize(10).doesNotHaveDuplicates();
        assertThat(limiter.open()).isZero();
    }

    @Test
    void closeAllClosesEveryLoopsConnections() throws Exception {
        List<Channel> channels = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            channels.add(accepted());
        }
        assertThat(channels.stream().map(Channel::eventLoop).distinct()).as("both loops used").hasSize(2);

        open.closeAll(5_000);

        assertThat(open.isEmpty()).isTrue();
        assertThat(channels).noneMatch(Channel::isOpen);
        assertThat(open.list()).isEmpty();
    }
}
