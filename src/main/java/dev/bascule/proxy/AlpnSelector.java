package dev.bascule.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import java.util.function.Consumer;

/**
 * On a TLS listener that offers HTTP/2, installs the pipeline of the protocol the TLS handshake settled on by
 * ALPN (RFC 7301): {@code h2}, or HTTP/1.1 for {@code http/1.1} and for a client that offered neither. A
 * handshake still unfinished when the client header timeout in front of it expires closes the connection.
 *
 * <p>Threading: confined to the connection's event loop.
 */
final class AlpnSelector extends ApplicationProtocolNegotiationHandler {
    /** Installs the pipeline of the protocol chosen: true for HTTP/2. */
    private final Consumer<Boolean> install;

    AlpnSelector(Consumer<Boolean> install) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.install = install;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.read(); // auto-read is off: the TLS handler reads on by itself until the handshake is done
        super.channelActive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ClientTimeouts.Expired.HEADER) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        install.accept(ApplicationProtocolNames.HTTP_2.equals(protocol));
    }
}
