package dev.bascule.proxy;

import dev.bascule.stats.ListenerStats;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * Counts one client connection into its listener's totals: opened under the protocol it settles on (HTTP/1.1 or
 * HTTP/2), closed, or closed before it settled on one. On a TLS listener it also sits behind the TLS handler
 * until the handshake is over, to count failed handshakes, and then leaves the pipeline.
 *
 * <p>It is the connection's one close listener: it also has the {@link ConnectionLimiter} count the connection out,
 * so that Netty keeps a single listener, not a list, on every open connection.
 *
 * <p>Threading: confined to the connection's event loop.
 */
final class ConnectionAccount extends ChannelInboundHandlerAdapter implements ChannelFutureListener {
    private final ListenerStats stats;
    private final ConnectionLimiter limiter;
    /** How the limiter counted the connection in; what it counts out. */
    private final ConnectionLimiter.Counted counted;
    private int protocol = ListenerStats.NONE;

    ConnectionAccount(ListenerStats stats, ConnectionLimiter limiter, ConnectionLimiter.Counted counted) {
        this.stats = stats;
        this.limiter = limiter;
        this.counted = counted;
    }

    /** The connection speaks {@code protocol} ({@link ListenerStats#HTTP1} or {@link ListenerStats#H2}) now. */
    void settled(int protocol) {
        if (this.protocol == ListenerStats.NONE) {
            this.protocol = protocol;
            stats.connectionOpened(protocol);
        }
    }

    /** The connection closed. */
    @Override
    public void operationComplete(ChannelFuture future) {
        stats.connectionClosed(protocol);
        limiter.countOut(future.channel(), counted);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SniCompletionEvent sni && !sni.isSuccess()) {
            stats.tlsHandshakeFailed(); // no certificate for the name, or a ClientHello that could not be read
            ctx.pipeline().remove(this);
        } else if (evt instanceof SslHandshakeCompletionEvent done) {
            if (!done.isSuccess()) {
                stats.tlsHandshakeFailed();
            }
            ctx.pipeline().remove(this);
        }
        ctx.fireUserEventTriggered(evt);
    }
}
