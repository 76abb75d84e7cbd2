package dev.bascule;

import dev.bascule.admin.AdminServer;
import dev.bascule.config.ConfigLoader;
import dev.bascule.fleet.Fleet;
import java.nio.file.Path;
import dev.bascule.balance.Balancers;
import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ConfigError;
import dev.bascule.config.ConfigException;
import dev.bascule.config.HostPort;
import dev.bascule.control.ConfigSource;
import dev.bascule.control.ControlPlane;
import dev.bascule.control.Resolver;
import dev.bascule.health.ActiveHealthChecker;
import dev.bascule.metrics.Metrics;
import dev.bascule.origin.OriginPool;
import dev.bascule.proxy.DescriptorLimit;
import dev.bascule.proxy.FrontendServer;
import dev.bascule.proxy.Transport;
import dev.bascule.tls.TlsContexts;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Ticker;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running proxy: wires the control plane to the data plane (event loops, listeners, origin pools, health
 * checks, admin API). Wiring only: everything the data plane reads from the control plane comes through the
 * snapshot, and the control plane keeps the listeners in step with the config.
 *
 * <p>Threading: {@link #start} and {@link #close} from one thread; {@link #reload} from any.
 */
public final class Bascule implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Bascule.class);
    /** Idle origin connections kept per server and event loop, like nginx's upstream {@code keepalive}. */
    private static final int MAX_IDLE_PER_SERVER = 1024;
    /** How long a stop waits for pooled origin connections to close before the event loops end. */
    private static final long ORIGIN_CLOSE_MILLIS = 1000;

    private final ControlPlane control;
    private final ConfigSource source;
    private final MultiThreadIoEventLoopGroup group;
    private final FrontendServer frontend;
    private final OriginPool origins;
    private final ActiveHealthChecker health;
    /** The fleet this instance belongs to; null for a single instance. */
    private final Fleet fleet;
    private volatile AdminServer admin;
    /** Where the admin API listens (a configured port 0 becomes a real one); null without one. */
    private volatile InetSocketAddress adminAddress;

    private Bascule(ControlPlane control, ConfigSource source, MultiThreadIoEventLoopGroup group,
            FrontendServer frontend, OriginPool origins, ActiveHealthChecker health, Fleet fleet) {
        this.fleet = fleet;
        this.control = control;
        this.source = source;
        this.group = group;
        this.frontend = frontend;
        this.origins = origins;
        this.health = health;
    }

    /**
     * Builds the first snapshot, starts the event loops and binds every listener.
     *
     * @param threads event loops to run; 0 means one per available core
     * @param source where {@link #reload()} reads the config again; null if it cannot
     * @throws ConfigException what only starting finds out: a certificate file, a port already taken
     */
    public static Bascule start(BasculeConfig config, int threads, ConfigSource source)
            throws ConfigException, InterruptedException {
        return start(config, threads, source, null);
    }

    /**
     * Starts an instance from its config file; with a {@code cluster} section, as a member of that fleet: it
     * starts with the fleet's config as etcd holds it (its file alone when etcd does not answer) and follows it.
     *
     * @param file the config file, read again on reload
     * @param local {@code file} as just read
     */
    public static Bascule run(BasculeConfig local, Path file, ConfigLoader loader, int threads)
            throws ConfigException, InterruptedException {
        if (local.cluster() == null) {
            return start(local, threads, () -> loader.load(file));
        }
        Fleet fleet = Fleet.join(local, file, loader);
        try {
            return start(fleet.initialConfig(), threads, fleet.source(), fleet);
        } catch (ConfigException | RuntimeException | InterruptedException e) {
            fleet.close();
            throw e;
        }
    }

    private static Bascule start(BasculeConfig config, int threads, ConfigSource source, Fleet fleet)
            throws ConfigException, InterruptedException {
        ScheduledExecutorService controlThread =
                Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("bascule-control", true));
        ControlPlane control;
        try {
            // The event loops tick with Netty's system ticker; the control plane must read the same clock.
            control = ControlPlane.start(config, Balancers.standard(), Resolver.SYSTEM, Clock.systemUTC(),
                    Ticker.systemTicker()::nanoTime, controlThread);
        } catch (ConfigException e) {
            controlThread.shutdownNow();
            throw e;
        }
        Transport transport = Transport.best();
        int loops = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        MultiThreadIoEventLoopGroup group = transport.newEventLoopGroup(loops, "bascule-io");
        OriginPool origins = new OriginPool(transport.channelType(), MAX_IDLE_PER_SERVER);
        FrontendServer frontend = new FrontendServer(transport, group, control.live(), origins);
        ActiveHealthChecker health = new ActiveHealthChecker(control, group, transport.channelType());
        Bascule bascule = new Bascule(control, source, group, frontend, origins, health, fleet);
        health.start();
        if (!control.tls().isEmpty()) {
            log.info("TLS engine: {}", TlsContexts.describeProvider());
        }
        if (fleet != null) {
            // Before the admin API takes its first command: from here on, every command's change is the fleet's.
            fleet.start(control, () -> {
                InetSocketAddress a = bascule.adminAddress;
                return a == null ? null : a.getAddress().getHostAddress() + ":" + a.getPort();
            });
        }
        try {
            await(control.listenOn(frontend));
            bascule.startAdmin(config, transport);
        } catch (ConfigException | RuntimeException e) {
            bascule.close();
            throw e;
        }
        if (fleet != null) {
            log.info("fleet {}: joined as node {}", config.cluster().name(), fleet.node());
        }
        log.info("Bascule started: {} event loops on {}, config {}", loops, transport.name(), config.source());
        DescriptorLimit.logAtStart(config.listeners().size(), config.limits().maxConnections());
        return bascule;
    }

    public static Bascule start(BasculeConfig config, int threads) throws ConfigException, InterruptedException {
        return start(config, threads, null);
    }

    /** Waits for a control-plane future, rethrowing a refused config as itself. */
    private static void await(CompletableFuture<?> f) throws ConfigException, InterruptedException {
        try {
            f.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ConfigException ce) {
                throw ce;
            }
            throw new CompletionException(cause);
        }
    }

    private void startAdmin(BasculeConfig config, Transport transport) throws ConfigException {
        if (config.admin() == null) {
            return;
        }
        HostPort at = config.admin().address();
        Metrics metrics = new Metrics(control.live(), Ticker.systemTicker()::nanoTime, control.reloads(),
                control.stats());
        AdminServer server = new AdminServer(control, source, metrics, fleet, group, transport.serverChannelType());
        try {
            InetSocketAddress bound = server.bind(new InetSocketAddress(InetAddress.getByName(at.host()), at.port()),
                    config.admin().allowedHosts());
            admin = server;
            adminAddress = bound;
            log.info("admin API on {}://{}:{}{}", config.admin().tls() != null ? "https" : "http",
                    bound.getAddress().getHostAddress(), bound.getPort(),
                    config.admin().tokenFile() != null ? " (bearer token required)" : "");
        } catch (Exception e) { // a BindException arrives undeclared through Netty's sync()
            server.close();
            throw new ConfigException(List.of(new ConfigError(config.source(), 1, 1,
                    "admin: cannot listen on " + at + ": " + e.getMessage())));
        }
    }

    /**
     * Reads the config file again and swaps it in; on any error the running config stays.
     *
     * @return the new config version, or a future failed with {@link ConfigException}
     */
    public CompletableFuture<Long> reload() {
        if (source == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("this instance has no config file"));
        }
        return control.reload(source);
    }

    /** The addresses actually bound, in listener order (a configured port 0 becomes a real one). */
    public List<InetSocketAddress> listenerAddresses() {
        return control.listenerAddresses();
    }

    /** The admin API's bound address (a configured port 0 becomes a real one); null when there is no admin API. */
    public InetSocketAddress adminAddress() {
        return adminAddress;
    }

    /** Opens the access log file again by its name (SIGUSR1, after logrotate renamed it). */
    public void reopenAccessLog() {
        control.reopenAccessLog();
    }

    public ControlPlane control() {
        return control;
    }

    /** The fleet this instance belongs to; null for a single instance. */
    public Fleet fleet() {
        return fleet;
    }

    /**
     * Graceful stop: the admin API's {@code GET /ready} answers 503 at once (the admin API itself stays up until
     * the end), closes the listeners at once, lets requests in flight finish for up to the config's {@code
     * shutdown_grace}, closes idle keep-alive connections, then stops.
     *
     * @return true when every request finished within the grace period
     */
    public boolean shutdownGracefully() {
        notReady();
        long grace = control.live().get().settings().shutdownGraceMillis();
        log.info("shutting down: waiting up to {} ms for {} connections", grace, frontend.connectionCount());
        boolean clean = frontend.shutdown(grace);
        stopLoops();
        log.info("stopped{}", clean ? "" : " (some requests were cut off at the end of the grace period)");
        return clean;
    }

    /** Stops at once: in-flight requests are cut off. */
    @Override
    public void close() {
        notReady();
        frontend.shutdown(0);
        stopLoops();
    }

    /** {@code GET /ready} answers 503 from now on; the admin API itself stays up until {@link #stopLoops}. */
    private void notReady() {
        AdminServer a = admin;
        if (a != null) {
            a.shutdownStarted();
        }
    }

    private void stopLoops() {
        if (fleet != null) {
            fleet.close(); // first: the others see this instance leave at once, not when its lease runs out
        }
        AdminServer a = admin;
        if (a != null) {
            a.close();
        }
        health.close();
        // Before the loops stop: an HTTP/2 origin gets its GOAWAY, and no connection is left for the loops' own
        // teardown to cut off with reads still pending in the kernel.
        origins.closeAll(group, ORIGIN_CLOSE_MILLIS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        control.close(); // after the event loops: the access log gets the lines of requests cut off at the end
    }
}
