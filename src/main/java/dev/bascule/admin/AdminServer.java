package dev.bascule.admin;

import dev.bascule.control.ConfigSource;
import dev.bascule.control.ControlPlane;
import dev.bascule.fleet.Fleet;
import dev.bascule.history.LiveStats;
import dev.bascule.metrics.Metrics;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The admin HTTP/1.1 server: JSON status and commands on top of a {@link ControlPlane}, Prometheus metrics
 * ({@code GET /metrics}) from a {@link Metrics}, and a live dashboard ({@code GET /}) fed by one-second samples
 * that a {@link LiveStats} of its own takes on a daemon thread ({@code GET /stats}). See {@link AdminRoutes}
 * for the endpoints; errors are {@code {"error": "..."}} with 400 (bad body or Host), 401 (missing or wrong
 * token), 403 (Host or Origin refused), 404 (unknown upstream, server or path), 405 (wrong method, with {@code
 * Allow}), 409 (duplicate server), 413 (body over {@value #MAX_BODY_BYTES} bytes), 415 (a body that is not JSON) or
 * 503 (reload without a config file).
 *
 * <p>Every request passes {@link AdminGuard} first: the Host and Origin checks that make it safe to open in a
 * browser, the bearer token of the config in force ({@link ControlPlane#adminToken()}, so a reload that changes
 * the token takes effect at once), JSON bodies only. It speaks HTTPS when the config it starts with gives {@code
 * admin.tls}, with the certificate of the config in force (read again on every reload, like the listeners').
 * {@code GET /ready} answers 503 from {@link #shutdownStarted} on, while the server itself stays up to answer.
 *
 * <p>It shares the data plane's event loops: a request costs it microseconds and never blocks them (a scrape runs
 * on a thread of its own, and its answer is written on the loop). {@code POST /reload} needs the {@link
 * ConfigSource} the proxy was started with. The admin address, its allowed hosts and whether it speaks HTTPS are
 * read once at start; a reload that changes them takes effect at the next start.
 *
 * <p>Threading: {@link #bind} and {@link #close} block and are called from one thread that is not an event
 * loop (start-up and shutdown); {@link #shutdownStarted} from any. Connections live on the given group's event
 * loops.
 */
public final class AdminServer implements AutoCloseable {
    /** Request bodies are a few fields; anything larger is a mistake or an attack. */
    public static final int MAX_BODY_BYTES = 64 * 1024;

    private final EventLoopGroup group;
    private final Class<? extends ServerSocketChannel> serverChannelType;
    private final AdminRoutes routes;
    /** Reads the config file for {@code POST /reload}; null without a source. */
    private final ExecutorService reloadThread;
    /** Scrapes and formats the metrics for {@code GET /metrics}, one scrape at a time; null without metrics. */
    private final ExecutorService scrapeThread;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final List<Channel> listeners = new ArrayList<>();
    private final ControlPlane control;
    /** The admin TLS context at start: null for plain HTTP; also serves if a reload drops {@code admin.tls}. */
    private final SslContext tlsAtStart;
    /** The one-second samples of {@code GET /stats}, taken on a thread of their own. */
    private final LiveStats stats;
    /** Written by the thread that starts shutdown, read on event loops by {@code GET /ready}. */
    private volatile boolean shuttingDown;

    /** An admin server without metrics: {@code GET /metrics} answers 404. */
    public AdminServer(ControlPlane control, ConfigSource reloadSource, EventLoopGroup group,
            Class<? extends ServerSocketChannel> serverChannelType) {
        this(control, reloadSource, null, group, serverChannelType);
    }

    /**
     * @param reloadSource where {@code POST /reload} reads the config again; null when there is none (then it
     *     answers 503)
     * @param metrics what {@code GET /metrics} exposes; null for none (then it answers 404)
     * @param group event loops for the admin connections; not shut down by {@link #close}
     */
    public AdminServer(ControlPlane control, ConfigSource reloadSource, Metrics metrics, EventLoopGroup group,
            Class<? extends ServerSocketChannel> serverChannelType) {
        this(control, reloadSource, metrics, null, group, serverChannelType);
    }

    /** @param fleet the fleet {@code GET /cluster} reports; null for a single instance (then it answers 404) */
    public AdminServer(ControlPlane control, ConfigSource reloadSource, Metrics metrics, Fleet fleet,
            EventLoopGroup group, Class<? extends ServerSocketChannel> serverChannelType) {
        this.group = group;
        this.serverChannelType = serverChannelType;
        this.control = control;
        this.tlsAtStart = control.tls().admin();
        this.reloadThread = reloadSource == null ? null
                : Executors.newSingleThreadExecutor(new DefaultThreadFactory("bascule-admin-reload", true));
        this.scrapeThread = metrics == null ? null
                : Executors.newSingleThreadExecutor(new DefaultThreadFactory("bascule-admin-metrics", true));
        this.stats = LiveStats.start(control.live(), control::nanoTime, System::currentTimeMillis);
        this.routes = new AdminRoutes(control, reloadSource, reloadThread, metrics, scrapeThread, () -> !shuttingDown,
                stats, DashboardAssets.load(), fleet);
    }

    /**
     * Starts listening on {@code address} accepting only loopback host names there if it is loopback (any
     * otherwise); blocks until the socket is bound.
     *
     * @return the bound address (useful with port 0)
     */
    public InetSocketAddress bind(InetSocketAddress address) throws InterruptedException {
        return bind(address, List.of());
    }

    /**
     * Starts listening; blocks until the socket is bound.
     *
     * @param address a resolved address; whether it is loopback decides which {@code Host} names are accepted
     * @param allowedHosts lower-case host names accepted besides the loopback ones ({@code admin.allowed_hosts});
     *     on an address that is not loopback, none means any
     * @return the bound address (useful with port 0)
     */
    public synchronized InetSocketAddress bind(InetSocketAddress address, List<String> allowedHosts)
            throws InterruptedException {
        AdminGuard guard = new AdminGuard(address.getAddress().isLoopbackAddress(), allowedHosts, tlsAtStart != null,
                control::adminToken);
        Channel listener = new ServerBootstrap()
                .group(group)
                .channel(serverChannelType)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, false) // AdminHandler reads when it has answered
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        if (tlsAtStart != null) {
                            ch.pipeline().addLast(currentTls().newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(new HttpServerCodec(), new AdminHandler.BodyLimit(MAX_BODY_BYTES),
                                new AdminHandler(routes, guard, MAX_BODY_BYTES));
                    }
                })
                .bind(address).sync().channel();
        listeners.add(listener);
        return (InetSocketAddress) listener.localAddress();
    }

    /** The certificate of the config in force, so a renewed one serves from the reload that read it. */
    private SslContext currentTls() {
        SslContext now = control.tls().admin();
        return now != null ? now : tlsAtStart;
    }

    /**
     * Shutdown has started: {@code GET /ready} answers 503 from now on, so that the balancer or orchestrator in
     * front stops sending traffic while requests in flight finish. The server keeps answering until {@link #close}.
     */
    public void shutdownStarted() {
        shuttingDown = true;
    }

    /** Stops listening and closes every admin connection; replies still pending are dropped. */
    @Override
    public synchronized void close() {
        for (Channel listener : listeners) {
            listener.close().awaitUninterruptibly();
        }
        listeners.clear();
        connections.close().awaitUninterruptibly();
        if (reloadThread != null) {
            reloadThread.shutdownNow();
        }
        if (scrapeThread != null) {
            scrapeThread.shutdownNow();
        }
        stats.close();
    }
}
