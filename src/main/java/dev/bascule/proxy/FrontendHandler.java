package dev.bascule.proxy;

import dev.bascule.balance.AffinityHash;
import dev.bascule.control.LiveSnapshot;
import dev.bascule.control.RouteAction;
import dev.bascule.control.Snapshot;
import dev.bascule.origin.OriginPool;
import dev.bascule.route.Route;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: reads requests one message at a time (auto-read is off and a {@code
 * FlowControlHandler} sits in front), hands each request to an {@link Exchange}, and reads the next request only
 * when the previous response is complete, so pipelined requests are answered in order.
 *
 * <p>Threading: confined to the connection's event loop.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(FrontendHandler.class);

    private final LiveSnapshot live;
    private final OriginPool origins;
    private final String scheme;
    private ChannelHandlerContext ctx;
    private String clientIp;
    private long clientIpHash;
    private Exchange exchange;
    /** The request being discarded after Bascule answered it itself; its body must not reach anyone. */
    private boolean discardingBody;
    /**
     * A read was asked for and no message has arrived yet. The flow-control handler counts a socket read that
     * decoded nothing (half a header block) as answered, so the read must be asked for again.
     */
    private boolean wantRead;
    /** Shutting down: no request after the current one. */
    private boolean closing;

    FrontendHandler(LiveSnapshot live, OriginPool origins, String scheme) {
        this.live = live;
        this.origins = origins;
        this.scheme = scheme;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        SocketAddress remote = ctx.channel().remoteAddress();
        clientIp = remote instanceof InetSocketAddress isa ? isa.getAddress().getHostAddress() : String.valueOf(remote);
        clientIpHash = AffinityHash.hash64(clientIp);
        read();
    }

    private void read() {
        wantRead = true;
        ctx.read();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (wantRead) {
            ctx.read();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        wantRead = false;
        if (msg instanceof HttpRequest request) {
            onRequest(request);
        }
        if (msg instanceof HttpContent content) {
            onContent(content);
        } else if (!(msg instanceof HttpRequest)) {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onRequest(HttpRequest request) {
        if (exchange != null) {
            // Cannot happen while reads are paced, but never let two exchanges share a connection.
            ReferenceCountUtil.release(request);
            ctx.close();
            return;
        }
        if (request.decoderResult().isFailure()) {
            reject(statusForDecodeFailure(request.decoderResult().cause()));
            return;
        }
        Snapshot snapshot = live.get();
        String uri = request.uri();
        if (uri.length() > snapshot.settings().maxUriLength()) {
            reject(HttpResponseStatus.REQUEST_URI_TOO_LONG);
            return;
        }
        if (uri.isEmpty() || uri.charAt(0) != '/') {
            // Absolute-form, authority-form and asterisk-form targets are not served yet: never forward-proxy.
            reject(HttpResponseStatus.BAD_REQUEST);
            return;
        }
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (host == null && request.protocolVersion().minorVersion() >= 1) {
            reject(HttpResponseStatus.BAD_REQUEST); // RFC 9112 3.2: a 1.1 request without Host is invalid
            return;
        }
        Route<RouteAction> route = snapshot.routes().match(host, uri);
        if (route == null) {
            answer(HttpResponseStatus.NOT_FOUND, request);
            return;
        }
        exchange = new Exchange(this, snapshot, route.target(), request, route.rewriteTarget(uri));
        exchange.start();
    }

    private void onContent(HttpContent content) {
        if (exchange != null && !discardingBody) {
            exchange.requestContent(content);
            return;
        }
        content.release();
        if (discardingBody && content instanceof LastHttpContent) {
            discardingBody = false;
            read();
        } else if (discardingBody) {
            read();
        }
    }

    /** Answers a request Bascule will not forward, keeping the connection when the request can be skipped. */
    private void answer(HttpResponseStatus status, HttpRequest request) {
        boolean keepAlive = HeaderRules.wantsKeepAlive(request) && !HttpUtilLite.hasBody(request.headers());
        ReferenceCountUtil.release(request);
        if (keepAlive) {
            discardingBody = true; // swallow the empty LastHttpContent that follows
            ctx.writeAndFlush(ErrorResponses.of(status, false), ctx.voidPromise());
            read();
        } else {
            ctx.writeAndFlush(ErrorResponses.of(status, true)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Answers a malformed or refused request and closes: after a bad message the stream cannot be trusted. */
    private void reject(HttpResponseStatus status) {
        ctx.writeAndFlush(ErrorResponses.of(status, true)).addListener(ChannelFutureListener.CLOSE);
    }

    static HttpResponseStatus statusForDecodeFailure(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return HttpResponseStatus.REQUEST_URI_TOO_LONG;
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        if (cause instanceof TooLongFrameException) {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        return HttpResponseStatus.BAD_REQUEST;
    }

    /** Shutdown: close now if no request is in flight, else once its response is written. */
    void closeWhenIdle() {
        closing = true;
        if (exchange == null) {
            ctx.close();
        }
    }

    /** Whether the connection must close after the response in flight (shutdown in progress). */
    boolean closing() {
        return closing;
    }

    // ---- called by the exchange ----

    ChannelHandlerContext context() {
        return ctx;
    }

    OriginPool origins() {
        return origins;
    }

    String clientIp() {
        return clientIp;
    }

    long clientIpHash() {
        return clientIpHash;
    }

    String scheme() {
        return scheme;
    }

    /** Asks for the next message of the current request (its body), once the origin can take it. */
    void readRequest() {
        read();
    }

    /**
     * The exchange is over and its last write was issued.
     *
     * @param keepAlive whether the connection may carry another request
     */
    void exchangeFinished(Exchange finished, boolean keepAlive) {
        if (exchange != finished) {
            return;
        }
        exchange = null;
        if (closing) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else if (keepAlive && ctx.channel().isActive()) {
            read();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.clientWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            if (exchange == null) {
                ctx.close(); // an idle keep-alive connection; a request in flight has its own timeouts
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Exchange e = exchange;
        exchange = null;
        if (e != null) {
            e.clientClosed();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client connection {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
