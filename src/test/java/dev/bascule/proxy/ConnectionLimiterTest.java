package dev.bascule.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.stats.ListenerStats;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Ticker;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Client connections counted in and out of the server's open connections and the caps, the count out made by the
 * connection's one close listener, its {@link ConnectionAccount}.
 */
class ConnectionLimiterTest {
    private final OpenConnections open = new OpenConnections();
    private final ConnectionLimiter limiter = new ConnectionLimiter(new ConcurrentHashMap<>(), open);
    private final ListenerStats stats = ListenerStats.detached("l");

    private EmbeddedChannel accepted(String peer, int port) throws Exception {
        return new EmbeddedFrontend.ClientChannel(Ticker.systemTicker(),
                new InetSocketAddress(InetAddress.getByName(peer), port));
    }

    /** As FrontendInitializer admits a connection; null when refused. */
    private EmbeddedChannel admit(String peer, int port, int max, int maxPerAddress) throws Exception {
        EmbeddedChannel ch = accepted(peer, port);
        ConnectionLimiter.Counted counted = limiter.tryAdmit(ch, max, maxPerAddress);
        if (counted == ConnectionLimiter.Counted.REFUSED) {
            assertThat(ch.finishAndReleaseAll()).isFalse();
            return null;
        }
        ch.closeFuture().addListener(new ConnectionAccount(stats, limiter, counted, ch));
        return ch;
    }

    @Test
    void aClosedConnectionLeavesTheOpenOnesAndFreesItsPlaceUnderBothCaps() throws Exception {
        EmbeddedChannel first = admit("198.51.100.7", 40000, 2, 1);
        assertThat(admit("198.51.100.7", 40001, 2, 1)).as("one per address").isNull();
        EmbeddedChannel other = admit("198.51.100.8", 40000, 2, 1);
        assertThat(admit("198.51.100.9", 40000, 2, 1)).as("two on the listener").isNull();
        assertThat(open.list()).containsExactlyInAnyOrder(first, other);
        assertThat(limiter.open()).isEqualTo(2);

        assertThat(first.finishAndReleaseAll()).isFalse(); // closes it

        assertThat(open.list()).containsExactly(other);
        assertThat(limiter.open()).isEqualTo(1);
        EmbeddedChannel again = admit("198.51.100.7", 40002, 2, 1);
        assertThat(again).as("its address's place is free again").isNotNull();
        assertThat(other.finishAndReleaseAll()).isFalse();
        assertThat(again.finishAndReleaseAll()).isFalse();
        assertThat(open.isEmpty()).isTrue();
        assertThat(limiter.open()).isZero();
    }

    @Test
    void withoutCapsEveryConnectionIsStillCountedInAndOut() throws Exception {
        EmbeddedChannel ch = admit("198.51.100.7", 40000, 0, 0);
        assertThat(open.size()).isEqualTo(1);
        assertThat(ch.finishAndReleaseAll()).isFalse();
        assertThat(open.size()).isZero();
        assertThat(limiter.open()).isZero();
    }
}
