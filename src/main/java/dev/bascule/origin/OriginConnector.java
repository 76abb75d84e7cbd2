package dev.bascule.origin;

import dev.bascule.tls.OriginTls;
import dev.bascule.upstream.OriginTimeouts;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;

/**
 * Where an exchange gets its origin connections. {@link OriginPool} is the one the proxy runs with; the seam
 * lets the client side be driven against origin connections that are not sockets (handler tests).
 *
 * <p>Threading: {@link #acquire} is called on {@code loop}, the client connection's event loop, and every
 * callback to the listener arrives on that loop too.
 */
public interface OriginConnector {

    /**
     * Hands {@code listener} a connection to {@code remote}: an idle pooled one at once (before this method
     * returns), or a new one when its connect (and TLS handshake) completes. Exactly one of {@code
     * originConnected} and {@code originConnectFailed} is called; a failed handshake is a failed connect.
     *
     * @param tls how to speak TLS to this server; null for plain HTTP
     * @param timeouts for a new connection: its connect and handshake, and how long it may idle in the pool
     */
    void acquire(EventLoop loop, InetSocketAddress remote, OriginTls tls, OriginTimeouts timeouts,
            OriginListener listener);
}
