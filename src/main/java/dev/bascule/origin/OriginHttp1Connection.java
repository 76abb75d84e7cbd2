package dev.bascule.origin;

import dev.bascule.http1.OriginCodec;
import dev.bascule.tls.OriginTls;
import dev.bascule.upstream.Server;
import dev.bascule.upstream.ServerState;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/1.1 connection to an origin server: the last handler of its pipeline, and the handle a request uses
 * to write to it. While a request owns it, events go to that request's {@link OriginListener}; while idle in
 * the pool, it only watches for being closed or timing out.
 *
 * <p>Threading: confined to its channel's event loop.
 */
public final class OriginHttp1Connection extends ChannelInboundHandlerAdapter implements OriginConnection {
    /** Marks a connection closed for having been idle longer than the upstream idle timeout. */
    static final IOException IDLE = new IOException("origin connection idle timeout");
    /**
     * How long an origin gets to close its end after Bascule closed its sending side ({@link #closeForWaiters});
     * HTTP servers close at once, this only bounds how long a slot can be held by one that does not.
     */
    static final long HALF_CLOSE_GRACE_MILLIS = 1000;

    private final OriginPool.LoopPool pool;
    private final Server server;
    /** Null for plain HTTP. */
    private final OriginTls tls;
    /** The upstream's queue as of the request that last took this connection; null when its servers had no cap. */
    private OriginQueue queue;
    /** True while this connection holds a slot of its server's max_connections, that is until its channel closes. */
    private boolean holdsSlot = true;
    /** The loop whose waiters get this connection's slot when it closes; null: this loop's first. */
    private OriginWaiters handOffTo;
    private Channel channel;
    private OriginListener listener;
    private Throwable closeCause;
    private boolean pooled;
    /** The origin answered 101 ({@link #switchProtocols}): what it sends now is another protocol's bytes. */
    private boolean switched;
    /** Bytes the origin sent after its 101, kept until {@link #becomeTunnel}; null while there are none. */
    private List<ByteBuf> afterSwitch;

    /** Made once its slot is taken ({@link ServerState#tryAcquireConnection}), just before the connect starts. */
    OriginHttp1Connection(OriginPool.LoopPool pool, Server server, OriginTls tls, OriginQueue queue) {
        this.pool = pool;
        this.server = server;
        this.tls = tls;
        this.queue = queue;
    }

    public Channel channel() {
        return channel;
    }

    @Override
    public InetSocketAddress remote() {
        return server.socketAddress();
    }

    /** The long-lived state of the server it is open to: the pool key, and the counter of its slot. */
    ServerState state() {
        return server.state();
    }

    OriginQueue queue() {
        return queue;
    }

    /** The TLS identity it was opened with; null for plain HTTP. */
    public OriginTls tls() {
        return tls;
    }

    @Override
    public boolean isActive() {
        return channel != null && channel.isActive();
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    /** Writes without flushing; a failure closes the connection and reaches the listener as {@code originClosed}. */
    @Override
    public void write(HttpObject msg) {
        channel.write(msg, channel.voidPromise());
    }

    @Override
    public void writeAndFlush(HttpObject msg) {
        channel.writeAndFlush(msg, channel.voidPromise());
    }

    @Override
    public void flush() {
        channel.flush();
    }

    /** Stops or resumes reading the response, for back-pressure from a slow client. */
    @Override
    public void setReading(boolean reading) {
        channel.config().setAutoRead(reading);
    }

    void attach(OriginListener owner) {
        this.listener = owner;
        this.pooled = false;
    }

    /** Taken from the pool by a request whose snapshot says {@code queue} (a reload may have set or cleared it). */
    void attach(OriginListener owner, OriginQueue queue) {
        attach(owner);
        this.queue = queue;
    }

    /**
     * Gives the connection back to its loop's pool after a complete exchange. The caller must not use it again.
     */
    @Override
    public void release() {
        listener = null;
        channel.config().setAutoRead(true); // an idle pooled connection must still notice the origin closing
        OriginQueue q = queue;
        if (q != null && q.length() > 0) {
            releaseToWaiters(q);
        } else if (!pool.offer(this)) {
            channel.close();
        }
    }

    /**
     * Requests wait for this upstream: the first one on this loop that can use this connection takes it from the
     * pool at once. If none does while others wait on other loops, it is closed instead of pooled, so its slot
     * lets one of them connect ({@link OriginQueue#slotFreed}).
     */
    private void releaseToWaiters(OriginQueue q) {
        OriginWaiters here = q.find(channel.eventLoop());
        OriginWaiters elsewhere = q.waitingLonger(here);
        if (elsewhere == null && here != null && here.size() > 0 && pool.offer(this)) {
            here.serve();
            if (!pooled || q.length() <= here.size()) {
                return; // taken; or the only waiters are here and want other servers
            }
            pool.remove(this);
            pooled = false;
        }
        handOffTo = elsewhere; // when set, its slot goes to that loop rather than to this loop's waiters
        closeForWaiters();
    }

    /**
     * Closes the connection so that its slot can serve a waiting request. Only the sending side closes at first;
     * the channel, and with it the slot, follows when the origin has closed its end in turn (as an HTTP server
     * does on reading the end of an idle connection). So the origin never holds more than the cap, not even
     * while a connection moves from one loop to another. An origin that keeps its end open is closed after
     * {@link #HALF_CLOSE_GRACE_MILLIS}. The connection must not be in the pool.
     */
    void closeForWaiters() {
        listener = null;
        if (channel instanceof SocketChannel socket && socket.isActive() && !socket.isOutputShutdown()) {
            socket.shutdownOutput().addListener(done -> {
                if (!done.isSuccess()) {
                    socket.close();
                }
            });
            socket.eventLoop().schedule(() -> {
                socket.close();
            }, HALF_CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } else if (channel != null) {
            channel.close();
        }
    }

    /**
     * The channel closed (or never opened): gives the server's connection slot back, once, and lets a waiting
     * request use it.
     */
    void slotReleased() {
        if (!holdsSlot) {
            return;
        }
        holdsSlot = false;
        server.state().releaseConnection();
        OriginQueue q = queue;
        if (handOffTo != null) {
            handOffTo.wake();
        } else if (q != null) {
            q.slotFreed(channel != null ? channel.eventLoop() : null);
        }
    }

    void markPooled(boolean value) {
        pooled = value;
    }

    /** Closes the connection for good; the owner gets no further events. */
    @Override
    public void discard() {
        listener = null;
        if (channel != null) {
            channel.close();
        }
    }

    /**
     * The origin switched protocols: stop reading until the tunnel is in place, and keep what the decoder already
     * has. The slot of {@code max_connections} stays taken until the channel closes, as for any connection.
     */
    @Override
    public boolean switchProtocols() {
        switched = true;
        listener = null;
        channel.config().setAutoRead(false);
        return true;
    }

    /**
     * Takes the HTTP handlers out and puts {@code end} in their place. The decoder has been passing bytes on as
     * they came since the 101, so nothing stays behind in it (and what would is handed on as it is removed); those
     * bytes, kept here, reach {@code end} when this handler is removed.
     */
    @Override
    public void becomeTunnel(ChannelHandler end) {
        ChannelPipeline p = channel.pipeline();
        p.addLast("tunnel", end);
        if (p.get(OriginCodec.class) != null) {
            p.remove(OriginCodec.class);
        }
        if (p.get(IdleStateHandler.class) != null) {
            p.remove(IdleStateHandler.class); // the tunnel has its own idle timeout, over both directions
        }
        if (p.context(this) != null) {
            p.remove(this);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    /**
     * Hands on the bytes kept since a 101: to the tunnel's end when {@link #becomeTunnel} takes this handler out,
     * or to the pipeline's tail, which releases them, when a closed channel's pipeline is torn down. Kept through
     * {@link #channelInactive}: an origin may send its last frames and close at once.
     */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        List<ByteBuf> kept = afterSwitch;
        afterSwitch = null;
        if (kept != null) {
            for (int i = 0; i < kept.size(); i++) {
                ctx.fireChannelRead(kept.get(i)); // to the tunnel's end, which now follows
            }
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (switched) {
            // The decoder passes bytes after a 101 on as they are (content only from a decoder that thought
            // the 101 had a body); either way they are the new protocol's.
            ByteBuf bytes = msg instanceof ByteBuf b ? b : msg instanceof HttpContent c ? c.content() : null;
            if (bytes != null && bytes.isReadable()) {
                if (afterSwitch == null) {
                    afterSwitch = new ArrayList<>(2);
                }
                afterSwitch.add(bytes);
            } else {
                ReferenceCountUtil.release(msg); // such as the empty end of the 101
            }
            return;
        }
        OriginListener l = listener;
        if (l == null) {
            // Bytes from an origin while no request owns the connection: the stream is out of step.
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        if (msg instanceof HttpObject http && http.decoderResult().isFailure()) {
            // RFC 9112 6.3: a response whose framing cannot be trusted leaves the stream unusable; the
            // connection closes here and is never pooled.
            closeCause = new MalformedResponseException(http.decoderResult().cause());
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        if (!(msg instanceof HttpObject)) {
            // Raw bytes: the decoder passes them on only after a 101, and this request did not switch protocols.
            closeCause = new MalformedResponseException(new IOException("101 Switching Protocols to a request"
                    + " that asked for no upgrade"));
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        if (msg instanceof HttpResponse head) {
            l.originResponseHead(head);
        }
        if (msg instanceof HttpContent content) {
            l.originResponseContent(content);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        OriginListener l = listener;
        if (l != null) {
            l.originReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        OriginListener l = listener;
        if (l != null) {
            l.originWritabilityChanged(ctx.channel().isWritable());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            if (switched) {
                return; // becoming a tunnel, which has its own idle timeout
            }
            OriginListener l = listener;
            if (l != null && !l.closeWhenOriginSilent()) {
                return; // the request is still being sent: an origin may rightly say nothing until it has it all
            }
            closeCause = IDLE;
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closeCause == null) {
            closeCause = cause;
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (pooled) {
            pool.remove(this);
        }
        OriginListener l = listener;
        listener = null;
        if (l != null) {
            l.originClosed(closeCause);
        }
    }
}
