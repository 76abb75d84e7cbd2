package dev.bascule.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The open client connections of a server, across its listeners: what a graceful shutdown walks, and what the
 * per-listener count reads. Unlike Netty's {@code ChannelGroup}, it adds no close listener of its own: {@link
 * ConnectionLimiter} counts a connection in and out, the latter from the connection's one close listener, its
 * {@link ConnectionAccount}; a second and third listener would make each open connection keep a listener list.
 *
 * <p>Threading: thread-safe. Connections are added and removed on their event loops, read from any thread.
 */
final class OpenConnections implements Iterable<Channel> {
    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();

    void add(Channel ch) {
        channels.add(ch);
    }

    void remove(Channel ch) {
        channels.remove(ch);
    }

    int size() {
        return channels.size();
    }

    boolean isEmpty() {
        return channels.isEmpty();
    }

    /** The connections open now, or some that closed meanwhile; never one twice. */
    @Override
    public Iterator<Channel> iterator() {
        return channels.iterator();
    }

    /**
     * Closes every connection still open and waits up to {@code timeoutMillis} in all for them to close; for the end
     * of a shutdown. A connection may take longer: an HTTP/2 one lingers for its client's last bytes, or waits for
     * its streams. Those are cut off when the event loops stop.
     */
    void closeAll(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        List<ChannelFuture> closing = new ArrayList<>();
        for (Channel ch : channels) {
            closing.add(ch.close());
        }
        for (ChannelFuture f : closing) {
            f.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }
}
