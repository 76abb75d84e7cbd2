package dev.bascule.origin;

import dev.bascule.control.Protocol;
import dev.bascule.tls.OriginTls;
import dev.bascule.upstream.OriginTimeouts;
import dev.bascule.upstream.Server;
import io.netty.channel.EventLoop;

/**
 * Where an exchange gets its origin connections, and where it waits for one when every server it may use is at
 * its {@code max_connections}. {@link OriginPool} is the one the proxy runs with; the seam lets the client side
 * be driven against origin connections that are not sockets (handler tests).
 *
 * <p>Threading: every method is called on {@code loop}, the client connection's event loop, and every callback
 * to the listener or waiter arrives on that loop too.
 */
public interface OriginConnector {

    /**
     * Hands {@code listener} a connection to {@code server}: an idle pooled one at once (before this method
     * returns), or a new one when its connect (and TLS handshake) completes. Exactly one of {@code
     * originConnected} and {@code originConnectFailed} is called; a failed handshake is a failed connect.
     *
     * @param tls how to speak TLS to this server; null for plain HTTP
     * @param protocol the upstream's: HTTP/1.1 connections, or streams of HTTP/2 ones (h2 with {@code tls}, h2c
     *     without)
     * @param timeouts for a new connection: its connect and handshake, and how long it may idle in the pool
     * @param queue the upstream's queue when its servers cap their connections; null when none does
     * @return false, having done nothing, when the server is at its {@code max_connections} and this loop holds no
     *     idle connection to it
     */
    boolean acquire(EventLoop loop, Server server, OriginTls tls, Protocol protocol, OriginTimeouts timeouts,
            OriginQueue queue, OriginListener listener);

    /** Whether {@link #acquire} would find room for {@code server} on the calling loop now. */
    boolean hasRoom(Server server, OriginTls tls, Protocol protocol);

    /**
     * Queues {@code waiter} on {@code loop} until a server of its upstream has room; it is then told to proceed.
     *
     * @param limit the upstream's {@code queue.size}: waiters on all loops together
     * @param first back at the head, for a waiter that was let go but lost the slot to another loop
     * @return false when the queue is full (or {@code limit} is 0)
     */
    boolean await(EventLoop loop, OriginQueue queue, int limit, OriginWaiter waiter, boolean first);

    /** Takes a waiter out of the queue of {@code loop}. */
    void leave(EventLoop loop, OriginQueue queue, OriginWaiter waiter);

    /** Whether requests of this upstream wait on {@code loop}: a new one must queue behind them. */
    boolean hasWaiters(EventLoop loop, OriginQueue queue);
}
