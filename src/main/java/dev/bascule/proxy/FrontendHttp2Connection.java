package dev.bascule.proxy;

import dev.bascule.stats.ListenerStats;
import io.netty.handler.ssl.SslHandler;
import dev.bascule.control.ProxySettings;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the streams of one HTTP/2 client connection share: who the peer is, the scheme, the Via builder, and
 * the connection's life. A connection with no open stream is closed {@code client_idle} after its last stream
 * ended ({@code client_header} after it opened, for one that never opens a stream); a graceful shutdown sends
 * GOAWAY at once and lets the streams in flight finish (Netty's connection handler waits for them up to
 * {@code shutdown_grace}).
 *
 * <p>Sits after the multiplex handler, where only connection-level frames arrive (SETTINGS, PING, GOAWAY); it
 * releases them.
 *
 * <p>Threading: confined to the connection's event loop; its streams run there too.
 */
final class FrontendHttp2Connection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(FrontendHttp2Connection.class);
    private final String scheme;
    private final ListenerStats listener;
    /** The connection's TLS version, null over plain TCP; read at the first stream. */
    private String tlsVersion;
    private boolean tlsVersionKnown;
    private final long firstStreamNanos;
    private final long idleNanos;
    private ChannelHandlerContext ctx;
    private boolean closing;
    private int openStreams;
    private long idleSince;
    private long idleLimit;
    private ScheduledFuture<?> idleCheck;

    FrontendHttp2Connection(String scheme, ProxySettings settings, ListenerStats listener) {
        this.scheme = scheme;
        this.listener = listener;
        this.firstStreamNanos = TimeUnit.MILLISECONDS.toNanos(settings.clientHeaderTimeoutMillis());
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(settings.clientIdleMillis());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        idle(firstStreamNanos);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg); // connection-level frames: the codec has acted on them already
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelIdleCheck();
        ctx.fireChannelInactive();
    }

    /**
     * The frame codec passes on the connection errors it has already answered (a flood, a malformed frame): it has
     * queued GOAWAY and closes once that is written, so closing here would drop the GOAWAY. They are the client's
     * doing, so they are logged at debug only: an abuser must not be able to fill the log.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("HTTP/2 client connection {} failed", ctx.channel().remoteAddress(), cause);
        if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) == null) {
            ctx.close();
        }
    }

    // ---- told by the streams ----

    /** The listener the connection came in on, whose counts its streams add to. */
    ListenerStats listener() {
        return listener;
    }

    /** {@code TLSv1.3} and the like; null over plain TCP. */
    String tlsVersion() {
        if (!tlsVersionKnown) {
            tlsVersionKnown = true;
            SslHandler tls = ctx.pipeline().get(SslHandler.class);
            tlsVersion = tls == null ? null : tls.engine().getSession().getProtocol();
        }
        return tlsVersion;
    }

    void streamOpened() {
        openStreams++;
        cancelIdleCheck();
    }

    void streamClosed() {
        if (--openStreams == 0 && !closing) {
            idle(idleNanos);
        }
    }

    SocketAddress remoteAddress() {
        return ctx.channel().remoteAddress();
    }

    String scheme() {
        return scheme;
    }

    boolean closing() {
        return closing;
    }


    /** Graceful shutdown: GOAWAY now; the streams in flight finish, then the connection closes. */
    void closeWhenIdle() {
        closing = true;
        cancelIdleCheck();
        ctx.close();
    }

    // ---- idle ----

    private void idle(long limit) {
        idleSince = ctx.executor().ticker().nanoTime();
        idleLimit = limit;
        if (idleCheck == null) {
            idleCheck = ctx.executor().schedule(this::checkIdle, limit, TimeUnit.NANOSECONDS);
        }
    }

    private void checkIdle() {
        idleCheck = null;
        if (openStreams > 0 || !ctx.channel().isActive()) {
            return;
        }
        long left = idleSince + idleLimit - ctx.executor().ticker().nanoTime();
        if (left <= 0) {
            ctx.close(); // GOAWAY(NO_ERROR), then close
        } else {
            idleCheck = ctx.executor().schedule(this::checkIdle, left, TimeUnit.NANOSECONDS);
        }
    }

    private void cancelIdleCheck() {
        if (idleCheck != null) {
            idleCheck.cancel(false);
            idleCheck = null;
        }
    }
}
