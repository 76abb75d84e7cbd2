package dev.bascule.proxy;

import dev.bascule.origin.OriginConnector;
import dev.bascule.stats.ExchangeRecord;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * What an {@link Exchange} needs from the client side, whatever protocol the client speaks: more of the request
 * body, somewhere to send the response (head, pieces, end), a way to answer locally or to cut the response
 * short, writability for back-pressure, the connection's timer and who the client is. One implementation per
 * client protocol (an HTTP/1 connection, an HTTP/2 stream); the exchange does not know which it has.
 *
 * <p>Messages cross this seam as Netty's HTTP objects, the exchange's neutral model of a message; each
 * implementation turns them into its protocol's frames. Ownership: every message handed to a send method is
 * the downstream's from then on.
 *
 * <p>Threading: every method is called on {@link #eventLoop()}, the client's event loop, which is also where the
 * exchange's origin connections live.
 */
interface Downstream {

    EventLoop eventLoop();

    /** Where the exchange gets its origin connections. */
    OriginConnector origins();

    /** Who the client is, as resolved for the current request. */
    ClientAddress client();

    /** {@code http} or {@code https}: what the client spoke to Bascule, for X-Forwarded-Proto. */
    String scheme();

    /** The protocol the request was received in, for Via (RFC 9110 7.6.3): {@code HTTP/2.0} for an HTTP/2 stream. */
    HttpVersion receivedVersion();

    /** Whether the connection is going away after this exchange (a graceful shutdown): no keep-alive. */
    boolean closing();

    /**
     * The account of the request in flight, which the downstream opens when the request arrives and hands to
     * exchange events when it is over; the exchange adds the upstream's part (attempts, server, times, a status
     * of its own). Asked for at each use, never kept: an HTTP/1 connection borrows a record per request and gives
     * it back when the request is over ({@link RecordPool}), after which this is a record nobody reads.
     */
    ExchangeRecord record();

    /** The data plane's clock: the event loop's ticker. */
    long nowNanos();

    /**
     * Arms the timer for a deadline {@code fromNowNanos} ahead; when it fires the exchange's {@code
     * checkDeadline} is called.
     *
     * @return the deadline, to compare in {@code checkDeadline} or pass to {@link #rearmDeadline}
     */
    long armDeadline(long fromNowNanos);

    void rearmDeadline(long deadline);

    /** Reads the next piece of the request body, once the origin can take it. */
    void requestMore();

    /** Tells a client that sent {@code Expect: 100-continue} to send its body. */
    void sendContinue();

    /** The response head, rewritten for the client; not flushed. */
    void sendHead(HttpResponse head);

    /** A piece of the response body; not flushed. */
    void sendContent(HttpContent content);

    void flush();

    /** Whether the client takes more now; when it turns false the exchange stops reading the origin. */
    boolean isWritable();

    /**
     * The last piece of the response: written and flushed; the exchange is over.
     *
     * @param keepAlive whether the connection may carry another request (HTTP/1)
     */
    void finish(LastHttpContent last, boolean keepAlive);

    /** A whole answer of Bascule's own (an error, 503 ...) instead of the origin's; the exchange is over. */
    void answer(FullHttpResponse response, boolean keepAlive);

    /** Cuts the response short so the client cannot take it for whole; the exchange is over. */
    void abort();

    /**
     * The origin switched to WebSocket: sends {@code switching} (its 101, rewritten for the client) and, once it
     * is written, gives the connection's bytes to {@code tunnel} ({@link Tunnel#start}) or, if it could not be
     * written, {@linkplain Tunnel#abandon abandons} it. The exchange is over.
     *
     * <p>Only a connection of its own can become a tunnel. The default is for one that cannot (an HTTP/2 stream,
     * as WebSocket over HTTP/2, RFC 8441, is not offered; {@link Admission} forwards no handshake from one).
     */
    default void upgrade(HttpResponse switching, Tunnel tunnel) {
        tunnel.abandon();
        abort();
    }
}
