package dev.bascule.proxy;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts client connections in and out of the server's {@link OpenConnections}, and caps them per listener ({@code
 * max_connections}) and per client address ({@code max_connections_per_ip}, counted across all listeners). A
 * connection over either cap is closed at accept, before a byte is read; nginx's {@code limit_conn} answers 503
 * instead, which costs reading a request from a client that is already over its share.
 *
 * <p>Threading: {@link #tryAdmit} runs on the new connection's event loop and {@link #countOut} on whichever loop
 * closes it, so the counters are atomic; the per-address table is a concurrent map whose entries go away at zero,
 * so it holds no more entries than there are open connections. Touched once per connection, never per request.
 */
final class ConnectionLimiter {
    /** What {@link #tryAdmit} did with a connection, and so what {@link #countOut} undoes. */
    enum Counted {
        /** Over a cap: not counted, to be closed. */
        REFUSED,
        /** Counted into the listener's total. */
        COUNTED,
        /** Counted into the listener's total and its address's. */
        COUNTED_WITH_ADDRESS
    }

    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perAddress;
    private final OpenConnections connections;

    /**
     * @param perAddress open connections per client address, shared by every listener of a server
     * @param connections the server's open connections, shared by every listener
     */
    ConnectionLimiter(ConcurrentHashMap<InetAddress, Integer> perAddress, OpenConnections connections) {
        this.perAddress = perAddress;
        this.connections = connections;
    }

    /**
     * Counts {@code ch} in, unless that would cross a limit. A counted connection must get its {@link
     * ConnectionAccount}, which joins it to the open connections, and be counted out with {@link #countOut} when it
     * closes.
     *
     * @param maxConnections for this listener; 0 or less for none
     * @param maxPerAddress for the client's address; 0 or less for none
     */
    Counted tryAdmit(Channel ch, int maxConnections, int maxPerAddress) {
        if (open.incrementAndGet() > maxConnections && maxConnections > 0) {
            open.decrementAndGet();
            return Counted.REFUSED;
        }
        InetAddress address = peer(ch);
        if (address == null || maxPerAddress <= 0) {
            return Counted.COUNTED; // not counted per address, so not released per address either
        }
        Integer now = perAddress.merge(address, 1, Integer::sum);
        if (now > maxPerAddress) {
            release(address);
            open.decrementAndGet();
            return Counted.REFUSED;
        }
        return Counted.COUNTED_WITH_ADDRESS;
    }

    /** A connection counted in has its account: it joins the open connections. */
    void opened(ConnectionAccount account) {
        connections.add(account);
    }

    /**
     * Counts a closed connection out. A closed channel still answers its peer's address (Netty keeps the one it
     * read at accept, when {@link #tryAdmit} asked), so the connection need not keep it.
     *
     * @param counted what {@link #tryAdmit} answered for it: {@link Counted#COUNTED} or {@link
     *     Counted#COUNTED_WITH_ADDRESS}
     */
    void countOut(ConnectionAccount account, Counted counted) {
        Channel ch = account.channel();
        connections.remove(account);
        open.decrementAndGet();
        if (counted == Counted.COUNTED_WITH_ADDRESS) {
            InetAddress address = peer(ch);
            if (address != null) {
                release(address);
            }
        }
    }

    private static InetAddress peer(Channel ch) {
        return ch.remoteAddress() instanceof InetSocketAddress isa ? isa.getAddress() : null;
    }

    private void release(InetAddress address) {
        perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }

    /** Open connections counted on this listener. */
    int open() {
        return open.get();
    }
}
