package dev.bascule.proxy;

import dev.bascule.stats.ListenerStats;
import io.netty.channel.Channel;
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
 * so that Netty keeps a single listener, not a list, on every open connection. And it is the connection's place in
 * its event loop's list of {@link OpenConnections}, by the two links it carries.
 *
 * <p>Threading: confined to the connection's event loop.
 */
final class ConnectionAccount extends ChannelInboundHandlerAdapter implements ChannelFutureListener {
    private final ListenerStats stats;
    private final ConnectionLimiter limiter;
    /** How the limiter counted the connection in; what it counts out. */
    private final ConnectionLimiter.Counted counted;
    private final Channel channel;
    /** A {@link ListenerStats} protocol: a byte, so that the links below fit the object's size. */
    private byte protocol = ListenerStats.NONE;
    /** The neighbours in the event loop's list of open connections; kept by {@link OpenConnections} alone. */
    ConnectionAccount previous;
    ConnectionAccount next;

    /** Counts {@code channel} in as the limiter's {@link ConnectionLimiter#tryAdmit} did ({@code counted}). */
    ConnectionAccount(ListenerStats stats, ConnectionLimiter limiter, ConnectionLimiter.Counted counted,
            Channel channel) {
        this.stats = stats;
        this.limiter = limiter;
        this.counted = counted;
        this.channel = channel;
        limiter.opened(this);
    }

    Channel channel() {
        return channel;
    }

    /** The connection speaks {@code protocol} ({@link ListenerStats#HTTP1} or {@link ListenerStats#H2}) now. */
    void settled(int protocol) {
        if (this.protocol == ListenerStats.NONE) {
            this.protocol = (byte) protocol;
            stats.connectionOpened(protocol);
        }
    }

    /** The connection closed. */
    @Override
    public void operationComplete(ChannelFuture future) {
        stats.connectionClosed(protocol);
        limiter.countOut(this, counted);
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
