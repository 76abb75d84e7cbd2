package dev.bascule.proxy;

import dev.bascule.origin.OriginConnection;
import dev.bascule.upstream.Server;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An upgraded connection: after the origin's {@code 101} to a WebSocket handshake, the client connection and the
 * origin connection carry the new protocol (RFC 9110 7.8), and Bascule passes the bytes through both ways without
 * looking into them. Not an exchange: no request, no response, no retry, only two byte streams.
 *
 * <ul>
 *   <li><b>Back-pressure:</b> each side is read only while the other takes what is read; a side whose peer's
 *       outbound buffer is full waits for it to drain (STYLE 5). Both channels read by hand (auto-read off).
 *   <li><b>In flight:</b> the tunnel holds the in-flight count its handshake took on the server until both
 *       channels have closed, so {@code least_conn}, {@code /status} and a removal waiting for the server's
 *       requests to end all see it.
 *   <li><b>Idle:</b> closed when no byte moved either way for {@code timeouts.tunnel_idle}.
 *   <li><b>Close:</b> when one side closes, what was read from it is flushed to the other, which then closes.
 * </ul>
 *
 * <p>The origin connection is never pooled again: it is closed with the tunnel.
 *
 * <p>Threading: both channels are on the same event loop (origin connections are opened on the client
 * connection's loop), and everything here runs on it.
 */
final class Tunnel {
    private static final Logger log = LoggerFactory.getLogger(Tunnel.class);

    private final Server server;
    private final OriginConnection origin;
    private final long idleNanos;
    private final End clientEnd = new End();
    private final End originEnd = new End();
    private EventExecutor executor;
    private boolean started;
    /** One side has closed (or the tunnel timed out): nothing more is passed on. */
    private boolean closing;
    private int closedChannels;
    /** The in-flight count was given back. */
    private boolean finished;
    /** When a byte last moved, in the event loop's ticker time. */
    private long lastActivity;
    private ScheduledFuture<?> idleCheck;

    /**
     * @param server the server the handshake went to; the tunnel takes over its in-flight count
     * @param origin the connection the origin switched, after {@link OriginConnection#switchProtocols}
     */
    Tunnel(Server server, OriginConnection origin, long idleMillis) {
        this.server = server;
        this.origin = origin;
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
        clientEnd.peer = originEnd;
        originEnd.peer = clientEnd;
    }

    /** Whether {@code ch} is the client connection of a tunnel. */
    static boolean carries(Channel ch) {
        return ch.pipeline().get(End.class) != null;
    }

    /** The handler that takes the place of the client connection's HTTP handlers. */
    ChannelHandler clientEnd() {
        return clientEnd;
    }

    /**
     * The client's end is in its pipeline: puts the origin's end in place, passes on what either side sent before
     * (bytes the HTTP decoders had already read), and starts reading both.
     */
    void start() {
        ChannelHandlerContext client = clientEnd.ctx;
        executor = client.executor();
        origin.becomeTunnel(originEnd);
        assert originEnd.ctx.executor() == executor : "a tunnel's two channels share one event loop";
        started = true;
        server.state().tunnelOpened();
        lastActivity = now();
        idleCheck = executor.schedule(this::checkIdle, idleNanos, TimeUnit.NANOSECONDS);
        // Before watching for closes: an origin that sent a close frame and closed at once must still be heard.
        clientEnd.forwardKept();
        originEnd.forwardKept();
        client.channel().closeFuture().addListener(f -> channelClosed(clientEnd));
        originEnd.ctx.channel().closeFuture().addListener(f -> channelClosed(originEnd));
        if (closing) {
            return; // one side closed in the meantime; the other follows once flushed
        }
        clientEnd.readIfPeerWritable();
        originEnd.readIfPeerWritable();
    }

    /** The 101 never reached the client: the tunnel does not open, and the origin connection is closed. */
    void abandon() {
        origin.discard();
        finish();
    }

    private long now() {
        return executor.ticker().nanoTime();
    }

    private void channelClosed(End closed) {
        closedChannels++;
        if (!closing) {
            closing = true;
            // What was read from the closed side goes out before the other closes.
            closed.peer.ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        if (closedChannels == 2) {
            finish();
        }
    }

    /**
     * Closes the tunnel when nothing moved for the idle timeout. Runs on while one side is still flushing after
     * the other closed, so a peer that stops reading cannot hold the tunnel (and its server's count) open.
     */
    private void checkIdle() {
        idleCheck = null;
        if (finished) {
            return;
        }
        long idle = now() - lastActivity;
        if (idle >= idleNanos) {
            log.debug("tunnel to {} idle for {} ms: closing", origin.remote(), TimeUnit.NANOSECONDS.toMillis(idle));
            closing = true;
            clientEnd.ctx.close();
            originEnd.ctx.close();
            return;
        }
        idleCheck = executor.schedule(this::checkIdle, idleNanos - idle, TimeUnit.NANOSECONDS);
    }

    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        if (idleCheck != null) {
            idleCheck.cancel(false);
            idleCheck = null;
        }
        clientEnd.releaseKept();
        originEnd.releaseKept();
        if (started) {
            server.state().tunnelClosed();
        }
        server.state().requestFinished();
    }

    /** One side of the tunnel: the last handler of its channel's pipeline. */
    private final class End extends ChannelDuplexHandler {
        private End peer;
        private ChannelHandlerContext ctx;
        /** Bytes read before the tunnel started (left in an HTTP decoder); null while there are none. */
        private List<ByteBuf> kept;
        /** A read of this side is owed once the peer's outbound buffer drains. */
        private boolean waitingForPeer;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            ctx.channel().config().setAutoRead(false);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf bytes)) {
                ReferenceCountUtil.release(msg); // nothing but bytes comes after the HTTP handlers left
                return;
            }
            if (closing || finished) {
                bytes.release();
                return;
            }
            if (!started) {
                if (kept == null) {
                    kept = new ArrayList<>(2);
                }
                kept.add(bytes);
                return;
            }
            lastActivity = now();
            peer.ctx.write(bytes, peer.ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (started && !closing) {
                peer.ctx.flush();
                readIfPeerWritable();
            }
        }

        void readIfPeerWritable() {
            if (peer.ctx.channel().isWritable()) {
                ctx.read();
            } else {
                waitingForPeer = true;
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (started) {
                lastActivity = now(); // the peer is taking bytes
                if (ctx.channel().isWritable() && peer.waitingForPeer && !closing) {
                    peer.waitingForPeer = false;
                    peer.ctx.read();
                }
            }
            ctx.fireChannelWritabilityChanged();
        }

        void forwardKept() {
            List<ByteBuf> k = kept;
            kept = null;
            if (k == null) {
                return;
            }
            for (int i = 0; i < k.size(); i++) {
                peer.ctx.write(k.get(i), peer.ctx.voidPromise());
            }
            peer.ctx.flush();
        }

        void releaseKept() {
            List<ByteBuf> k = kept;
            kept = null;
            if (k != null) {
                for (int i = 0; i < k.size(); i++) {
                    k.get(i).release();
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("tunnel connection {} failed", ctx.channel().remoteAddress(), cause);
            ctx.close();
        }
    }
}
