package dev.bascule.proxy;

import io.netty.channel.Channel;
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
        InetAddress address = ch.remoteAddress() instanceof InetSocketAddress isa ? isa.getAddress() : null;
        if (address != null && maxPerAddress > 0) {
            Integer now = perAddress.merge(address, 1, Integer::sum);
            if (now > maxPerAddress) {
                release(address);
                open.decrementAndGet();
                return false;
            }
        } else {
            address = null; // not counted per address, so not released per address either
        }
        InetAddress counted = address;
        ch.closeFuture().addListener(f -> {
            open.decrementAndGet();
            if (counted != null) {
                release(counted);
            }
        });
        return true;
    }

    private void release(InetAddress address) {
        perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }

    /** Open connections counted on this listener. */
    int open() {
        return open.get();
    }
}
