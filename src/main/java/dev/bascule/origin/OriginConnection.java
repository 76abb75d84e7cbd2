package dev.bascule.origin;

import dev.bascule.tls.OriginTls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * One HTTP/1.1 connection to an origin server: the last handler of its pipeline, and the handle a request uses
 * to write to it. While a request owns it, events go to that request's {@link OriginListener}; while idle in
 * the pool, it only watches for being closed or timing out.
 *
 * <p>Threading: confined to its channel's event loop.
 */
public final class OriginConnection extends ChannelInboundHandlerAdapter {
    /** Marks a connection closed for having been idle longer than the upstream idle timeout. */
    static final IOException IDLE = new IOException("origin connection idle timeout");

    private final OriginPool.LoopPool pool;
    private final InetSocketAddress remote;
    /** Null for plain HTTP. */
    private final OriginTls tls;
    private Channel channel;
    private OriginListener listener;
    private Throwable closeCause;
    private boolean pooled;

    OriginConnection(OriginPool.LoopPool pool, InetSocketAddress remote, OriginTls tls) {
        this.pool = pool;
        this.remote = remote;
        this.tls = tls;
    }

    public Channel channel() {
        return channel;
    }

    public InetSocketAddress remote() {
        return remote;
    }

    /** The TLS identity it was opened with; null for plain HTTP. */
    public OriginTls tls() {
        return tls;
    }

    public boolean isActive() {
        return channel != null && channel.isActive();
    }

    public boolean isWritable() {
        return channel.isWritable();
    }

    /** Writes without flushing; a failure closes the connection and reaches the listener as {@code originClosed}. */
    public void write(HttpObject msg) {
        channel.write(msg, channel.voidPromise());
    }

    public void writeAndFlush(HttpObject msg) {
        channel.writeAndFlush(msg, channel.voidPromise());
    }

    public void flush() {
        channel.flush();
    }

    /** Stops or resumes reading the response, for back-pressure from a slow client. */
    public void setReading(boolean reading) {
        channel.config().setAutoRead(reading);
    }

    void attach(OriginListener owner) {
        this.listener = owner;
        this.pooled = false;
    }

    /**
     * Gives the connection back to its loop's pool after a complete exchange. The caller must not use it again.
     */
    public void release() {
        listener = null;
        channel.config().setAutoRead(true); // an idle pooled connection must still notice the origin closing
        if (!pool.offer(this)) {
            channel.close();
        }
    }

    void markPooled(boolean value) {
        pooled = value;
    }

    /** Closes the connection for good; the owner gets no further events. */
    public void discard() {
        listener = null;
        if (channel != null) {
            channel.close();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
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
