package dev.bascule.proxy;

import dev.bascule.control.LiveSnapshot;
import dev.bascule.control.ProxySettings;
import dev.bascule.origin.OriginPool;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Builds the pipeline of each accepted client connection, with the limits of the snapshot live at accept time.
 *
 * <p>Threading: called on the new connection's event loop; stateless apart from shared immutable references.
 */
final class FrontendInitializer extends ChannelInitializer<SocketChannel> {
    /** Request line slack beyond the URI: method, spaces and "HTTP/1.1". */
    private static final int REQUEST_LINE_SLACK = 32;

    private final LiveSnapshot live;
    private final OriginPool origins;
    private final String scheme;
    private final ChannelGroup connections;

    FrontendInitializer(LiveSnapshot live, OriginPool origins, String scheme, ChannelGroup connections) {
        this.live = live;
        this.origins = origins;
        this.scheme = scheme;
        this.connections = connections;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        connections.add(ch);
        ProxySettings settings = live.get().settings();
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(settings.maxUriLength() + REQUEST_LINE_SLACK)
                .setMaxHeaderSize(settings.maxHeaderSize())
                .setMaxChunkSize(65536)
                .setValidateHeaders(true);
        ChannelPipeline p = ch.pipeline();
        p.addLast("idle", new IdleStateHandler(0, 0, settings.clientIdleMillis(), TimeUnit.MILLISECONDS));
        p.addLast("http", new HttpServerCodec(decoder));
        // Hands over one decoded message per read(), so pipelined requests wait their turn and a body is read
        // only as fast as the origin takes it.
        p.addLast("flow", new FlowControlHandler());
        p.addLast("frontend", new FrontendHandler(live, origins, scheme));
    }
}
