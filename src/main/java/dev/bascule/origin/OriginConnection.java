package dev.bascule.origin;

import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.HttpObject;
import java.net.InetSocketAddress;

/**
 * One origin connection as a request uses it, whatever protocol it speaks to the origin: an HTTP/1.1 connection
 * that carries one exchange at a time ({@link OriginHttp1Connection}), or one stream of a multiplexed HTTP/2
 * connection. The request writes its head and body here as Netty HTTP objects and hears back through its {@link
 * OriginListener}; when it is done it either releases the connection for reuse or discards it.
 *
 * <p>Ownership: a message written here belongs to the connection from then on.
 *
 * <p>Threading: confined to the event loop of the client connection that borrowed it.
 */
public interface OriginConnection {

    /** The origin's address, for logs. */
    InetSocketAddress remote();

    boolean isActive();

    /** Whether it takes more now; {@link OriginListener#originWritabilityChanged} says when that changes. */
    boolean isWritable();

    /** Writes part of the request; not flushed. */
    void write(HttpObject msg);

    void writeAndFlush(HttpObject msg);

    void flush();

    /** Stops or resumes reading the response: back-pressure from a client that does not take it fast enough. */
    void setReading(boolean reading);

    /** Gives the connection back for reuse after a complete exchange. The caller must not use it again. */
    void release();

    /** Closes it: the exchange on it cannot be completed cleanly. The caller must not use it again. */
    void discard();

    /**
     * The origin answered {@code 101 Switching Protocols} to the request (a WebSocket handshake): from here on
     * the connection carries the new protocol's bytes, not HTTP. It stops reading, its listener hears no more,
     * bytes the origin sent after the 101 are kept for {@link #becomeTunnel}, and it never goes back to the
     * pool: the caller either makes it a tunnel or {@linkplain #discard discards} it.
     *
     * @return false, having changed nothing, when this connection cannot carry another protocol (a stream of an
     *     HTTP/2 connection)
     */
    default boolean switchProtocols() {
        return false;
    }

    /**
     * Replaces the connection's HTTP handlers with {@code end}, which from then on gets the raw bytes of the
     * origin, first those kept since the 101, and writes raw bytes to it. Only after {@link #switchProtocols}
     * returned true; the connection object is not used again (close the tunnel's channel instead).
     */
    default void becomeTunnel(ChannelHandler end) {
        throw new IllegalStateException("only after switchProtocols() returned true: this connection carries no tunnel");
    }
}
