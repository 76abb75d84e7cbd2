package dev.bascule;

import dev.bascule.admin.AdminServer;
import dev.bascule.balance.Balancers;
import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ConfigError;
import dev.bascule.config.ConfigException;
import dev.bascule.config.HostPort;
import dev.bascule.health.ActiveHealthChecker;
import dev.bascule.config.ListenerConfig;
import dev.bascule.control.ConfigSource;
import dev.bascule.control.ControlPlane;
import dev.bascule.control.ProxySettings;
import dev.bascule.control.Resolver;
import dev.bascule.origin.OriginPool;
import dev.bascule.proxy.DescriptorLimit;
import dev.bascule.proxy.FrontendListener;
import dev.bascule.proxy.FrontendServer;
import dev.bascule.proxy.Transport;
import dev.bascule.tls.TlsContexts;
import dev.bascule.tls.TlsMaterial;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running proxy: wires the control plane to the data plane (event loops, listeners, origin pools) and keeps
 * the listeners in step with the config across reloads.
 *
 * <p>Threading: {@link #start} and {@link #close} from one thread; {@link #reload} from any.
 */
public final class Bascule implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Bascule.class);
    /** Idle origin connections kept per server and event loop, like nginx's upstream {@code keepalive}. */
    private static final int MAX_IDLE_PER_SERVER = 1024;

    private final ControlPlane control;
    private final ConfigSource source;
    private final MultiThreadIoEventLoopGroup group;
    private final FrontendServer frontend;
    private final OriginPool origins;
    /** Configured listener address to bound address; control thread (and start) only. */
    private final Map<InetSocketAddress, InetSocketAddress> bound = new LinkedHashMap<>();
    /** Configured listener address to its TLS/redirect state; control thread (and start) only. */
    private final Map<InetSocketAddress, FrontendListener> modes = new LinkedHashMap<>();
    private volatile List<InetSocketAddress> boundAddresses = List.of();
    /** The configured listener addresses of the config in force, in its order. */
    private List<InetSocketAddress> listenerOrder = List.of();
    private volatile Duration shutdownGrace;
    private volatile AdminServer admin;
    private volatile ActiveHealthChecker health;
    private volatile InetSocketAddress adminAddress;

    private Bascule(ControlPlane control, ConfigSource source, MultiThreadIoEventLoopGroup group,
            FrontendServer frontend, OriginPool origins, Duration shutdownGrace) {
        this.control = control;
        this.source = source;
        this.group = group;
        this.frontend = frontend;
        this.origins = origins;
        this.shutdownGrace = shutdownGrace;
    }

    /**
     * Builds the first snapshot, starts the event loops and binds every listener.
     *
     * @param threads event loops to run; 0 means one per available core
     * @param source where {@link #reload()} reads the config again; null if it cannot
     */
    public static Bascule start(BasculeConfig config, int threads, ConfigSource source)
            throws ConfigException, InterruptedException {
        ScheduledExecutorService controlThread =
                Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("bascule-control", true));
        ControlPlane control;
        try {
            control = ControlPlane.start(config, Balancers.standard(), Resolver.SYSTEM, Clock.systemUTC(),
                    System::nanoTime, controlThread);
        } catch (ConfigException e) {
            controlThread.shutdownNow();
            throw e;
        }
        Transport transport = Transport.best();
        int loops = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        MultiThreadIoEventLoopGroup group = transport.newEventLoopGroup(loops, "bascule-io");
        ProxySettings s = control.live().get().settings();
        OriginPool origins = new OriginPool(transport.channelType(), MAX_IDLE_PER_SERVER,
                s.connectTimeoutMillis(), s.upstreamIdleMillis());
        FrontendServer frontend = new FrontendServer(transport, group, control.live(), origins);
        Bascule bascule = new Bascule(control, source, group, frontend, origins, config.shutdownGrace());
        bascule.health = new ActiveHealthChecker(control, group, transport.channelType());
        bascule.health.start();
        if (!control.tls().isEmpty()) {
            log.info("TLS engine: {}", TlsContexts.describeProvider());
        }
        try {
            bascule.openListeners(config, control.tls());
            bascule.applyListeners(config);
            bascule.startAdmin(config, transport);
        } catch (ConfigException | RuntimeException e) {
            bascule.close();
            throw e;
        }
        control.prepareReloadsWith(bascule::openListeners);
        control.onConfigChanged(bascule::applyConfig);
        log.info("Bascule started: {} event loops on {}, config {}", loops, transport.name(), config.source());
        DescriptorLimit.logAtStart(config.listeners().size(), config.limits().maxConnections());
        return bascule;
    }

    public static Bascule start(BasculeConfig config, int threads) throws ConfigException, InterruptedException {
        return start(config, threads, null);
    }

    private void applyConfig(BasculeConfig config) {
        ProxySettings s = control.live().get().settings();
        origins.updateTimeouts(s.connectTimeoutMillis(), s.upstreamIdleMillis());
        shutdownGrace = config.shutdownGrace();
        applyListeners(config);
    }

    /**
     * Binds every listening socket {@code next} needs and does not have yet: new addresses, and addresses
     * switching between plain and TLS (that takes a new socket; open connections carry on). On a reload this runs
     * before the config is swapped in, so a port that cannot be had rejects the reload with every socket as it
     * was, instead of leaving a config in force that is not served. Until the swap, connections on a new or
     * re-bound listener are served by the running config's routes.
     */
    private synchronized void openListeners(BasculeConfig next, TlsMaterial nextTls) throws ConfigException {
        List<InetSocketAddress> opened = new ArrayList<>();
        Map<InetSocketAddress, FrontendListener> switched = new LinkedHashMap<>();
        for (ListenerConfig listener : next.listeners()) {
            try {
                InetSocketAddress address = socketAddress(listener);
                FrontendListener.Settings settings = settings(listener, nextTls);
                FrontendListener current = modes.get(address);
                if (opened.contains(address) || switched.containsKey(address)
                        || current != null && current.tls() == settings.tls()) {
                    continue;
                }
                if (current != null) {
                    frontend.unbind(address);
                    switched.put(address, current);
                } else {
                    opened.add(address);
                }
                FrontendListener mode = new FrontendListener(settings);
                InetSocketAddress actual = frontend.bind(address, mode);
                bound.put(address, actual);
                modes.put(address, mode);
                log.info("listening on {} ({}{})", hostPort(actual), listener.name(), mode.tls() ? ", TLS" : "");
            } catch (Exception e) { // UnknownHostException, or a BindException undeclared through Netty's sync()
                undo(opened, switched);
                String reason = e instanceof UnknownHostException ? "unknown host" : e.getMessage();
                throw new ConfigException(List.of(new ConfigError(next.source(), 1, 1,
                        "listener " + listener.name() + ": cannot listen on " + listener.address() + ": " + reason)));
            }
        }
    }

    /** Closes what a refused reload opened and re-opens, as they were, the listeners it had switched. */
    private void undo(List<InetSocketAddress> opened, Map<InetSocketAddress, FrontendListener> switched) {
        for (InetSocketAddress address : opened) {
            frontend.unbind(address);
            modes.remove(address);
            bound.remove(address);
        }
        for (Map.Entry<InetSocketAddress, FrontendListener> e : switched.entrySet()) {
            InetSocketAddress address = e.getKey();
            frontend.unbind(address);
            try {
                bound.put(address, frontend.bind(address, e.getValue()));
                modes.put(address, e.getValue());
            } catch (Exception rebind) { // another process took the port in between: nothing left to fall back to
                bound.remove(address);
                modes.remove(address);
                log.error("could not listen on {} again after a refused reload: {}", address, rebind.getMessage());
            }
        }
        publishAddresses(); // a switched listener on port 0 came back on another port
    }

    /**
     * After {@link #openListeners}: gives the listeners of {@code config} its settings (new certificates serve
     * new handshakes; open connections carry on) and closes those it dropped.
     */
    private synchronized void applyListeners(BasculeConfig config) {
        Set<InetSocketAddress> wanted = new LinkedHashSet<>();
        for (ListenerConfig listener : config.listeners()) {
            try {
                InetSocketAddress address = socketAddress(listener);
                FrontendListener mode = modes.get(address);
                if (mode != null && wanted.add(address)) {
                    mode.update(settings(listener, control.tls()));
                }
            } catch (UnknownHostException e) {
                // cannot happen: openListeners resolved this address moments ago, or refused the config
            }
        }
        for (InetSocketAddress old : new ArrayList<>(bound.keySet())) {
            if (!wanted.contains(old)) {
                frontend.unbind(old);
                modes.remove(old);
                log.info("stopped listening on {}", hostPort(bound.remove(old)));
            }
        }
        listenerOrder = List.copyOf(wanted);
        publishAddresses();
    }

    /** The addresses actually bound, in the order of the config in force (port 0 becomes a real port). */
    private void publishAddresses() {
        boundAddresses = listenerOrder.stream().map(bound::get).filter(Objects::nonNull).toList();
    }

    private static InetSocketAddress socketAddress(ListenerConfig listener) throws UnknownHostException {
        return new InetSocketAddress(InetAddress.getByName(listener.address().host()), listener.address().port());
    }

    private static FrontendListener.Settings settings(ListenerConfig listener, TlsMaterial tls) {
        return new FrontendListener.Settings(tls.listener(listener), listener.redirectHttps(), listener.hsts());
    }

    private void startAdmin(BasculeConfig config, Transport transport) {
        if (config.admin() == null) {
            return;
        }
        HostPort at = config.admin().address();
        AdminServer server = new AdminServer(control, source, group, transport.serverChannelType());
        try {
            InetSocketAddress bound = server.bind(new InetSocketAddress(InetAddress.getByName(at.host()), at.port()));
            admin = server;
            adminAddress = bound;
            log.info("admin API on {}", hostPort(bound));
        } catch (Exception e) { // a BindException arrives undeclared through Netty's sync()
            server.close();
            throw new IllegalStateException("cannot listen on admin address " + at + ": " + e.getMessage(), e);
        }
    }

    /** Where the admin API listens, or null without one. */
    public InetSocketAddress adminAddress() {
        return adminAddress;
    }

    static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
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
        return boundAddresses;
    }

    public ControlPlane control() {
        return control;
    }

    public OriginPool origins() {
        return origins;
    }

    /**
     * Graceful stop: closes the listeners at once, lets requests in flight finish for up to the config's {@code
     * shutdown_grace}, closes idle keep-alive connections, then stops.
     *
     * @return true when every request finished within the grace period
     */
    public boolean shutdownGracefully() {
        Duration grace = shutdownGrace;
        log.info("shutting down: waiting up to {} ms for {} connections", grace.toMillis(),
                frontend.connectionCount());
        boolean clean = frontend.shutdown(grace.toMillis());
        stopLoops();
        log.info("stopped{}", clean ? "" : " (some requests were cut off at the end of the grace period)");
        return clean;
    }

    /** Stops at once: in-flight requests are cut off. */
    @Override
    public void close() {
        frontend.shutdown(0);
        stopLoops();
    }

    private void stopLoops() {
        AdminServer a = admin;
        if (a != null) {
            a.close();
        }
        ActiveHealthChecker h = health;
        if (h != null) {
            h.close();
        }
        control.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
