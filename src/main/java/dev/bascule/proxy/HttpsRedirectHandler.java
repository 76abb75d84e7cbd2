package dev.bascule.proxy;

import dev.bascule.control.LiveSnapshot;
import dev.bascule.control.Snapshot;
import dev.bascule.stats.ExchangeRecord;
import dev.bascule.stats.ListenerStats;
import dev.bascule.stats.LocalReason;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

/**
 * The whole of a plain listener with {@code redirect_https}: every request is answered {@code 308 Permanent
 * Redirect} (RFC 9110 15.4.9; unlike 301 it keeps the method and body) to {@code https://<host><uri>}, where host
 * is the Host header without its port, so the https side is assumed on its default port 443. Nothing is
 * forwarded. A request without a usable Host, or whose target is not a path, gets 400.
 *
 * <p>Reads are paced by hand (auto-read is off): the next socket read is asked for only while the client takes
 * the responses. A request with a body is answered at once and the connection closed rather than read further.
 *
 * <p>Threading: confined to its connection's event loop.
 */
final class HttpsRedirectHandler extends ChannelInboundHandlerAdapter {
    private final ClientTimeouts timeouts;
    private final LiveSnapshot live;
    private final ListenerStats listener;
    /**
     * The account of the request being answered, borrowed from the event loop's {@link RecordPool} and handed to
     * exchange events, then given back: an idle connection holds none, nor the text of its last request.
     */
    private ExchangeRecord record;
    private boolean closing;
    /** A read is owed: the last one came while the client was not taking responses. */
    private boolean readWhenWritable;

    HttpsRedirectHandler(ClientTimeouts timeouts, LiveSnapshot live, ListenerStats listener) {
        this.timeouts = timeouts;
        this.live = live;
        this.listener = listener;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (closing || !(msg instanceof HttpRequest request)) {
                return; // the rest of a request already answered: dropped
            }
            open(ctx, request);
            if (request.decoderResult().isFailure()) {
                respond(ctx, ErrorResponses.of(RequestValidator.statusForDecodeFailure(request.decoderResult().cause()),
                        true), false);
                return;
            }
            String location = location(request.headers().get(HttpHeaderNames.HOST), request.uri());
            boolean keepAlive = HeaderRules.wantsKeepAlive(request) && !HttpUtilLite.hasBody(request.headers());
            if (location == null) {
                respond(ctx, ErrorResponses.of(HttpResponseStatus.BAD_REQUEST, true), false);
                return;
            }
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.PERMANENT_REDIRECT, Unpooled.EMPTY_BUFFER);
            r.headers().set(HttpHeaderNames.LOCATION, location).setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            if (!keepAlive) {
                r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            } else if (request.protocolVersion().minorVersion() == 0) {
                r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            respond(ctx, r, keepAlive);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void respond(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        int code = response.status().code();
        record.status(code, LocalReason.ofStatus(code));
        if (keepAlive) {
            ctx.writeAndFlush(response, ctx.voidPromise());
            timeouts.awaitingRequest();
        } else {
            closing = true;
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
        record.end(ctx.executor().ticker().nanoTime(), System.currentTimeMillis());
        live.get().events().exchangeEnded(record);
        record.forgetText();
        RecordPool.giveBack(record);
        record = null;
    }

    private void open(ChannelHandlerContext ctx, HttpRequest request) {
        Snapshot snapshot = live.get();
        String peer = ctx.channel().remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() : null;
        HttpHeaders h = request.headers();
        record = RecordPool.borrow();
        record.begin(listener, peer, ctx.executor().ticker().nanoTime())
                .route(snapshot.unrouted())
                .request(request.method().name(), h.get(HttpHeaderNames.HOST), request.uri(),
                        request.protocolVersion().text(), h.get(HttpHeaderNames.USER_AGENT),
                        h.get(HttpHeaderNames.REFERER));
    }

    /**
     * {@code https://host/uri}, or null when the Host header is missing or not a plain host name or address
     * (anything else could steer the Location elsewhere), or the target is not a path.
     */
    static String location(String hostHeader, String uri) {
        if (hostHeader == null || uri.isEmpty() || uri.charAt(0) != '/') {
            return null;
        }
        String host = hostHeader.trim();
        int end;
        if (host.startsWith("[")) { // IPv6 literal: [::1]:8080
            end = host.indexOf(']') + 1;
            if (end == 0 || !validChars(host, 1, end - 1, true)) {
                return null;
            }
        } else {
            int colon = host.indexOf(':');
            end = colon < 0 ? host.length() : colon;
            if (!validChars(host, 0, end, false)) {
                return null;
            }
        }
        if (end == 0 || end < host.length() && !validPort(host, end)) {
            return null;
        }
        return "https://" + host.substring(0, end) + uri;
    }

    private static boolean validChars(String s, int from, int to, boolean ipv6) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.'
                    || (ipv6 ? c == ':' : c == '-' || c == '_');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** What follows the host is {@code :digits}. */
    private static boolean validPort(String host, int at) {
        if (host.charAt(at) != ':' || at + 1 == host.length()) {
            return false;
        }
        for (int i = at + 1; i < host.length(); i++) {
            if (host.charAt(i) < '0' || host.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (closing) {
            return;
        }
        if (ctx.channel().isWritable()) {
            ctx.read();
        } else {
            readWhenWritable = true; // back-pressure: a client that does not read its redirects gets no more
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (readWhenWritable && ctx.channel().isWritable() && !closing) {
            readWhenWritable = false;
            ctx.read();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ClientTimeouts.Expired.HEADER || evt == ClientTimeouts.Expired.IDLE) {
            ctx.close(); // a head that did not arrive in time, or a keep-alive connection left idle
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
