package dev.bascule.proxy;

import dev.bascule.balance.AffinityHash;
import dev.bascule.balance.PickContext;
import dev.bascule.control.Mirror;
import dev.bascule.control.Pool;
import dev.bascule.control.Protocol;
import dev.bascule.control.ProxySettings;
import dev.bascule.origin.OriginConnection;
import dev.bascule.origin.OriginConnector;
import dev.bascule.origin.OriginListener;
import dev.bascule.origin.OriginQueue;
import dev.bascule.upstream.AffinityKey;
import dev.bascule.upstream.Cookies;
import dev.bascule.upstream.OriginTimeouts;
import dev.bascule.upstream.Server;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The copy of one request that a route's {@link Mirror} sends to its mirror upstream, whose answer is read and
 * thrown away. Made by the {@link Exchange} once its request is admitted and chosen ({@link Mirror#choose}),
 * with the head as the exchange sends it upstream (forwarding headers, request id, the route's edits); sent once
 * the request is whole, on a later turn of the event loop, so the real request's work always comes first.
 *
 * <p>A copy is never waited for and never counts toward anyone's health: it emits no exchange events, so no
 * passive health, retry, server answer count or latency average sees it, and it is never retried. It counts in
 * its route's {@link dev.bascule.stats.MirrorStats} only, and in its server's in-flight count while out (it is
 * load on that server). It is dropped (counted) rather than delayed: when {@code max_in_flight} copies are out,
 * when the mirror upstream has no routable server, or no connection room ({@code max_connections}; copies never
 * queue, and never go ahead of requests queued on this loop), or when the connection cannot be opened. A copy
 * with no answer within {@code timeouts.response_header} is abandoned and its connection closed.
 *
 * <p>Buffers: the copy holds its own references to the request body (a {@link ReplayBuffer} copy) until they are
 * written, and releases every piece of the answer as it arrives. The connection goes back to the pool after a
 * complete answer the origin lets it keep, else it is closed.
 *
 * <p>Threading: confined to the event loop of the client connection the request came on; its origin connection
 * is opened there too.
 */
final class MirrorCopy implements OriginListener, PickContext, Runnable {
    private static final Logger log = LoggerFactory.getLogger(MirrorCopy.class);

    private final Mirror mirror;
    private final HttpRequest head;
    private final OriginConnector origins;
    private final EventLoop loop;
    private final OriginTimeouts timeouts;
    private final long responseTimeoutMillis;
    /** The client's hash, for a hashing balancer when the request lacks the pool's header or cookie. */
    private final long clientHash;
    /** The body, whole; null for a bodyless request, and once written or released. */
    private ReplayBuffer body;
    private OriginQueue queue;
    /** Whether this copy holds a place of {@code max_in_flight}. */
    private boolean started;
    private Server server;
    private OriginConnection origin;
    private Future<?> timeout;
    /** A final (non-1xx) response head arrived: the next end of content ends the answer. */
    private boolean answered;
    /** Whether the origin may keep the connection after its answer. */
    private boolean keepAlive;
    private boolean done;

    private MirrorCopy(Mirror mirror, HttpRequest head, OriginConnector origins, EventLoop loop,
            ProxySettings settings, long clientHash) {
        this.mirror = mirror;
        this.head = head;
        this.origins = origins;
        this.loop = loop;
        this.timeouts = settings.origin();
        this.responseTimeoutMillis = settings.responseHeaderTimeoutMillis();
        this.clientHash = clientHash;
    }

    /**
     * A copy of {@code request} when its route mirrors and this request is chosen; null otherwise (most
     * requests: a null check, or one atomic increment on a mirroring route).
     *
     * @param request the request as it goes upstream (its headers rewritten); its head is copied now
     * @param websocket a WebSocket handshake, which is never copied: it would open a second tunnel
     */
    static MirrorCopy of(Mirror mirror, HttpRequest request, Downstream downstream, ProxySettings settings,
            boolean websocket) {
        if (mirror == null || websocket || !mirror.choose()) {
            return null;
        }
        HttpRequest head = new DefaultHttpRequest(request.protocolVersion(), request.method(), request.uri(),
                request.headers().copy());
        if (mirror.pool().protocol() == Protocol.HTTP1) {
            // An HTTP/1.1 origin gets no TE (RFC 9110 7.6.1), though the real one, on HTTP/2, may have te: trailers.
            head.headers().remove(HttpHeaderNames.TE);
        }
        return new MirrorCopy(mirror, head, downstream.origins(), downstream.eventLoop(), settings,
                downstream.client().hash());
    }

    /** Sends a bodyless request's copy, on a later turn of the loop. */
    void send() {
        schedule();
    }

    /**
     * Sends the copy with the body the exchange kept, on a later turn of the loop; drops it when the body is not
     * whole in {@code replay} (larger than {@link ReplayBuffer#LIMIT}): a copy is never truncated.
     */
    void send(ReplayBuffer replay) {
        if (replay == null || !replay.complete()) {
            drop();
            return;
        }
        body = replay.retainedCopy();
        schedule();
    }

    /**
     * Gives the copy up, counted as dropped; the exchange calls this when its request ended before the body was
     * read whole (answered early, failed, or its client left). Nothing once the copy is over.
     */
    void drop() {
        if (!done) {
            mirror.stats().dropped();
            end();
        }
    }

    private void schedule() {
        try {
            loop.execute(this);
        } catch (RejectedExecutionException e) {
            drop(); // the loop is shutting down
        }
    }

    /** The deferred send: a place of max_in_flight, a server with room, a connection; or dropped. */
    @Override
    public void run() {
        Pool pool = mirror.pool();
        if (pool.panic() || pool.rejectWhenNoneRoutable() || !mirror.tryStart()) {
            drop(); // no routable server (a pool in panic has candidates, but none is healthy), or too many out
            return;
        }
        started = true;
        queue = pool.waitingRoom() == null ? null : OriginQueue.of(pool.waitingRoom());
        if (queue != null && origins.hasWaiters(loop, queue)) {
            drop(); // requests of that upstream wait for a connection here: a copy does not go ahead of them
            return;
        }
        Server s = pool.balancer().pick(this);
        if (s == null) {
            drop();
            return;
        }
        server = s;
        s.state().requestStarted();
        if (!origins.acquire(loop, s, pool.originTls(s), pool.protocol(), timeouts, queue, this)) {
            drop(); // its last connection slot went to another loop since the pick
        }
    }

    // ---- origin connection ----

    @Override
    public void originConnected(OriginConnection connection, boolean reused) {
        if (done) {
            connection.release(); // nothing was written on it
            return;
        }
        origin = connection;
        if (head.headers().get(HttpHeaderNames.HOST) == null) {
            head.headers().set(HttpHeaderNames.HOST, server.address()); // an HTTP/1.0 client sent none
        }
        connection.write(head);
        ReplayBuffer b = body;
        body = null;
        if (b == null) {
            connection.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        } else {
            b.writeTo(connection);
            b.release();
        }
        mirror.stats().sent();
        timeout = loop.schedule(this::timedOut, responseTimeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void originConnectFailed(Throwable cause) {
        log.debug("mirror copy: connect to {} failed: {}", server.address(), cause.toString());
        drop(); // it never reached the mirror; and no passive health event: the mirror is on trial, not judged
    }

    @Override
    public void originResponseHead(HttpResponse response) {
        int code = response.status().code();
        if (code < 200 || done) {
            return; // interim (100 Continue): the final answer follows
        }
        answered = true;
        keepAlive = HeaderRules.wantsKeepAlive(response);
        mirror.stats().answered(code);
        cancelTimeout();
    }

    @Override
    public void originResponseContent(HttpContent content) {
        content.release();
        if (content instanceof LastHttpContent && answered && !done) {
            OriginConnection o = origin;
            origin = null;
            if (keepAlive && o.isActive()) {
                o.release();
            } else {
                o.discard();
            }
            end();
        }
    }

    @Override
    public void originReadComplete() {}

    @Override
    public void originWritabilityChanged(boolean writable) {}

    @Override
    public void originClosed(Throwable cause) {
        origin = null;
        end();
    }

    /** The whole copy is written before the answer is awaited: any silence is the origin's. */
    @Override
    public boolean closeWhenOriginSilent() {
        return true;
    }

    private void timedOut() {
        timeout = null;
        if (done) {
            return;
        }
        OriginConnection o = origin;
        origin = null;
        if (o != null) {
            o.discard();
        }
        end();
    }

    private void cancelTimeout() {
        Future<?> t = timeout;
        timeout = null;
        if (t != null) {
            t.cancel(false);
        }
    }

    /** Over: gives back the body, the server's in-flight count and the place of max_in_flight; once. */
    private void end() {
        if (done) {
            return;
        }
        done = true;
        cancelTimeout();
        ReplayBuffer b = body;
        body = null;
        if (b != null) {
            b.release();
        }
        Server s = server;
        if (s != null) {
            s.state().requestFinished();
        }
        if (started) {
            mirror.stats().ended();
        }
    }

    // ---- PickContext: a copy excludes servers without connection room, and tries only once ----

    @Override
    public boolean excluded(Server candidate) {
        return queue != null && (candidate.state().draining()
                || !origins.hasRoom(candidate, mirror.pool().originTls(candidate), mirror.pool().protocol()));
    }

    @Override
    public long affinityHash() {
        AffinityKey key = mirror.pool().affinityKey();
        String value = switch (key.source()) {
            case CLIENT_IP -> null;
            case HEADER -> head.headers().get(key.name());
            case COOKIE -> Cookies.value(head.headers().get(HttpHeaderNames.COOKIE), key.name());
        };
        return value == null ? clientHash : AffinityHash.hash64(value);
    }

    @Override
    public long nowNanos() {
        return loop.ticker().nanoTime();
    }
}
