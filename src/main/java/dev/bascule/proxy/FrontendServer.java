package dev.bascule.proxy;

import dev.bascule.control.ListenerSettings;
import dev.bascule.control.ListenerSockets;
import dev.bascule.control.LiveSnapshot;
import dev.bascule.origin.OriginConnector;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The client-facing listeners and the connections they accepted. Each connection gets a {@link FrontendHandler}
 * on one event loop of the shared group, where its requests and their origin connections stay.
 *
 * <p>Threading: {@link #bind} and {@link #unbind} are called by the control plane, {@link #shutdown} by the
 * thread stopping Bascule; the connection group is thread-safe.
 */
public final class FrontendServer implements ListenerSockets {
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(128 * 1024, 256 * 1024);
    /**
     * Up to 64 accepts each time the listening socket is ready (HAProxy's {@code maxaccept}). Netty's default
     * stops after one: it reads "maybe more" from a byte count an accept does not have. With 1,000 clients
     * connecting at once, one accept per event-loop turn left hundreds waiting seconds in the accept queue while
     * the loop served those already in (bench scenario e: up to 0.8% of requests over 1 s before; p99 0.14-0.34 s
     * after).
     */
    private static final RecvByteBufAllocator ACCEPT_BATCH =
            new ServerChannelRecvByteBufAllocator().respectMaybeMoreData(false).maxMessagesPerRead(64);
    /** How long the end of a shutdown waits for the connections it closes, before the event loops stop. */
    private static final long CLOSE_ALL_MILLIS = 1000;

    private final Transport transport;
    private final EventLoopGroup group;
    private final LiveSnapshot live;
    private final OriginConnector origins;
    private final Map<InetSocketAddress, Channel> listeners = new LinkedHashMap<>();
    /** Every open client connection, counted in and out by its listener's {@link ConnectionLimiter}. */
    private final OpenConnections connections = new OpenConnections();
    /** Open client connections per client address, across listeners (for max_connections_per_ip). */
    private final ConcurrentHashMap<InetAddress, Integer> connectionsPerAddress = new ConcurrentHashMap<>();

    public FrontendServer(Transport transport, EventLoopGroup group, LiveSnapshot live, OriginConnector origins) {
        this.transport = transport;
        this.group = group;
        this.live = live;
        this.origins = origins;
    }

    /**
     * Starts listening; blocks until the socket is bound. Each connection it accepts reads its listener's settings
     * from the live snapshot.
     *
     * @return the bound address (useful with port 0)
     */
    @Override
    public synchronized InetSocketAddress bind(InetSocketAddress address, ListenerSettings untilPublished)
            throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannelType())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.RCVBUF_ALLOCATOR, ACCEPT_BATCH)
                .handler(AcceptFailures.installer()) // a clear, rate-limited line when accept fails (EMFILE)
                // TCP_NODELAY is not set here: Netty's socket channels turn it on as they are created, and setting
                // it again would cost every accepted connection a setsockopt. No SO_KEEPALIVE either, as nginx: its
                // two-hour probes never fire before client_idle and the request timeouts have closed the connection.
                // Room for a few 64 KiB body pieces before back-pressure pauses the origin: a smaller mark would
                // stop and restart reading the origin on nearly every piece of a large response.
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, ClientReads.INSTANCE)
                .childHandler(new FrontendInitializer(live, origins, address, untilPublished,
                        new ConnectionLimiter(connectionsPerAddress, connections)));
        Channel ch = b.bind(address).sync().channel();
        listeners.put(address, ch);
        return (InetSocketAddress) ch.localAddress();
    }

    /** Stops one listener (as configured); its open connections carry on. */
    @Override
    public synchronized void unbind(InetSocketAddress address) {
        Channel ch = listeners.remove(address);
        if (ch != null) {
            ch.close().awaitUninterruptibly();
        }
    }

    /** Open client connections. */
    public int connectionCount() {
        return connections.size();
    }

    /**
     * Stops accepting, closes idle keep-alive connections at once and the others after their current response,
     * then waits up to {@code graceMillis} for all to close; what remains (WebSocket tunnels among them) is closed.
     *
     * @return true when every connection finished within the grace period
     */
    public boolean shutdown(long graceMillis) {
        synchronized (this) {
            for (Channel ch : listeners.values()) {
                ch.close().awaitUninterruptibly();
            }
            listeners.clear();
        }
        connections.forEach(ch -> { // on each connection's loop
            FrontendHandler h = ch.pipeline().get(FrontendHandler.class);
            FrontendHttp2Connection h2 = ch.pipeline().get(FrontendHttp2Connection.class);
            if (h != null) {
                h.closeWhenIdle();
            } else if (h2 != null) {
                h2.closeWhenIdle(); // GOAWAY; streams in flight finish
            } else if (!Tunnel.carries(ch)) {
                ch.close();
            } // a tunnel is never idle: it runs on until the grace period ends
        });
        boolean clean = connections.awaitEmpty(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis));
        connections.closeAll(CLOSE_ALL_MILLIS);
        return clean;
    }
}
