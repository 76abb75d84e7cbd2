package dev.bascule.origin;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Receives the events of one origin connection while a request owns it.
 *
 * <p>Threading: every method is called on the connection's event loop, which is also the caller's.
 */
public interface OriginListener {

    /** A connection is ready; {@code reused} tells whether it came from the idle pool. */
    void originConnected(OriginConnection connection, boolean reused);

    /** Opening a new connection failed (refused, unreachable, timed out). */
    void originConnectFailed(Throwable cause);

    /** The response head arrived. Informational (1xx) heads are delivered too. */
    void originResponseHead(HttpResponse head);

    /** A piece of the response body; the listener owns {@code content} and must release or pass it on. */
    void originResponseContent(HttpContent content);

    /** The socket read that delivered the last events is done: a good moment to flush downstream. */
    void originReadComplete();

    /** The connection's outbound buffer crossed a water mark. */
    void originWritabilityChanged(boolean writable);

    /**
     * The connection closed or failed while owned; it will not be used again.
     *
     * @param cause why, when known (a malformed response, an I/O error, idleness); may be null for a plain close
     */
    void originClosed(Throwable cause);

    /**
     * The origin has sent nothing for the upstream idle timeout while this listener owns the connection.
     *
     * @return true to close the connection (it then reports {@link #originClosed}), false to keep waiting
     */
    boolean closeWhenOriginSilent();
}
