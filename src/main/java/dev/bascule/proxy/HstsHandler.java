package dev.bascule.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;

/**
 * Adds {@code Strict-Transport-Security} to every response of a TLS connection (RFC 6797 7.1), replacing an
 * origin's own so the listener's policy is the one clients see. Never installed on plain connections: a
 * browser ignores the header over HTTP (RFC 6797 7.2).
 *
 * <p>Threading: confined to its connection's event loop; the value is immutable.
 */
final class HstsHandler extends ChannelOutboundHandlerAdapter {
    static final AsciiString STRICT_TRANSPORT_SECURITY = AsciiString.cached("strict-transport-security");

    private final AsciiString value;

    HstsHandler(String value) {
        this.value = new AsciiString(value);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response && response.status().code() >= 200) {
            response.headers().set(STRICT_TRANSPORT_SECURITY, value);
        }
        ctx.write(msg, promise);
    }
}
