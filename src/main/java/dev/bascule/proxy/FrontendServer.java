package dev.bascule.proxy;

import dev.bascule.control.LiveSnapshot;
import dev.bascule.origin.OriginPool;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The client-facing listeners. Each accepted connection gets a {@link FrontendHandler} on one event loop of the
 * shared group, where its requests and their origin connections stay.
 *
 * <p>Threading: {@link #bind} and {@link #close} are called by the control plane.
 */
public final class FrontendServer {
    private final Transport transport;
    private final EventLoopGroup group;
    private final LiveSnapshot live;
    private final OriginPool origins;
    private final List<Channel> listeners = new ArrayList<>();

    public FrontendServer(Transport transport, EventLoopGroup group, LiveSnapshot live, OriginPool origins) {
        this.transport = transport;
        this.group = group;
        this.live = live;
        this.origins = origins;
    }

    /**
     * Starts listening; blocks until the socket is bound.
     *
     * @return the bound address (useful with port 0)
     */
    public InetSocketAddress bind(InetSocketAddress address) throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannelType())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new FrontendInitializer(live, origins, "http"));
        Channel ch = b.bind(address).sync().channel();
        synchronized (listeners) {
            listeners.add(ch);
        }
        return (InetSocketAddress) ch.localAddress();
    }

    /** Stops accepting; connections already open are left to finish. */
    public void close() {
        ChannelGroup all = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        synchronized (listeners) {
            all.addAll(listeners);
            listeners.clear();
        }
        all.close().awaitUninterruptibly();
    }
}
