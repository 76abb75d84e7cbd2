package dev.bascule.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps concurrent client connections per listener ({@code max_connections}) and per client address ({@code
 * max_connections_per_ip}, counted across all listeners). A connection over either cap is closed at accept,
 * before a byte is read; nginx's {@code limit_conn} answers 503 instead, which costs reading a request from a
 * client that is already over its share.
 *
 * <p>Threading: {@link #tryAdmit} runs on the new connection's event loop and the release on whichever loop
 * closes it, so the counters are atomic; the per-address table is a concurrent map whose entries go away at zero,
 * so it holds no more entries than there are open connections. Touched once per connection, never per request.
 */
final class ConnectionLimiter {
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perAddress;
    /**
     * Count a closed connection out, and its address too when it was counted per address: shared by every
     * connection of the listener, so that an open connection keeps no listener object of its own. A closed channel
     * still answers its peer's address (Netty keeps the one it read at accept, when {@link #tryAdmit} asked).
     */
    private final ChannelFutureListener onClose = closed -> countOut(null);
    private final ChannelFutureListener onCloseCountedByAddress = closed -> countOut(peer(closed.channel()));

    /**
     * @param perAddress open connections per client address, shared by every listener of a server
     */
    ConnectionLimiter(ConcurrentHashMap<InetAddress, Integer> perAddress) {
        this.perAddress = perAddress;
    }

    /**
     * Counts {@code ch} in, unless that would cross a limit; a counted connection is counted out when it closes.
     *
     * @param maxConnections for this listener; 0 or less for none
     * @param maxPerAddress for the client's address; 0 or less for none
     * @return false when the connection must be refused
     */
    boolean tryAdmit(Channel ch, int maxConnections, int maxPerAddress) {
        if (open.incrementAndGet() > maxConnections && maxConnections > 0) {
            open.decrementAndGet();
            return false;
        }
        InetAddress address = peer(ch);
        if (address == null || maxPerAddress <= 0) {
            ch.closeFuture().addListener(onClose); // not counted per address, so not released per address either
            return true;
        }
        Integer now = perAddress.merge(address, 1, Integer::sum);
        if (now > maxPerAddress) {
            countOut(address);
            return false;
        }
        ch.closeFuture().addListener(onCloseCountedByAddress);
        return true;
    }

    private static InetAddress peer(Channel ch) {
        return ch.remoteAddress() instanceof InetSocketAddress isa ? isa.getAddress() : null;
    }

    /** @param address the peer's, when it was counted per address; else null */
    private void countOut(InetAddress address) {
        open.decrementAndGet();
        if (address != null) {
            release(address);
        }
    }

    private void release(InetAddress address) {
        perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }

    /** Open connections counted on this listener. */
    int open() {
        return open.get();
    }
}
