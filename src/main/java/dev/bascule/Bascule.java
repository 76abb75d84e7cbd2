package dev.bascule;

import dev.bascule.balance.Balancers;
import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ConfigException;
import dev.bascule.config.ListenerConfig;
import dev.bascule.control.LiveSnapshot;
import dev.bascule.control.ProxySettings;
import dev.bascule.control.Snapshot;
import dev.bascule.control.SnapshotBuilder;
import dev.bascule.origin.OriginPool;
import dev.bascule.proxy.FrontendServer;
import dev.bascule.proxy.Transport;
import dev.bascule.upstream.ServerRegistry;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running proxy: wires the control plane (snapshot builder, registry) to the data plane (event loops,
 * listeners, origin pools) for one config.
 *
 * <p>Threading: start and close from one control thread.
 */
public final class Bascule implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Bascule.class);
    /** Idle origin connections kept per server and event loop, like nginx's upstream {@code keepalive}. */
    private static final int MAX_IDLE_PER_SERVER = 256;

    private final MultiThreadIoEventLoopGroup group;
    private final FrontendServer frontend;
    private final LiveSnapshot live;
    private final List<InetSocketAddress> boundAddresses;

    private Bascule(MultiThreadIoEventLoopGroup group, FrontendServer frontend, LiveSnapshot live,
            List<InetSocketAddress> boundAddresses) {
        this.group = group;
        this.frontend = frontend;
        this.live = live;
        this.boundAddresses = List.copyOf(boundAddresses);
    }

    /**
     * Builds the first snapshot, starts the event loops and binds every listener.
     *
     * @param threads event loops to run; 0 means one per available core
     */
    public static Bascule start(BasculeConfig config, int threads) throws ConfigException, InterruptedException {
        Balancers balancers = Balancers.standard();
        ServerRegistry registry = new ServerRegistry();
        SnapshotBuilder builder = new SnapshotBuilder(registry, balancers, Clock.systemUTC());
        Snapshot first = builder.build(config, null);
        LiveSnapshot live = new LiveSnapshot(first);

        Transport transport = Transport.best();
        int loops = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        MultiThreadIoEventLoopGroup group = transport.newEventLoopGroup(loops, "bascule-io");
        ProxySettings s = first.settings();
        OriginPool origins = new OriginPool(transport.channelType(), MAX_IDLE_PER_SERVER,
                s.connectTimeoutMillis(), s.upstreamIdleMillis());
        FrontendServer frontend = new FrontendServer(transport, group, live, origins);
        List<InetSocketAddress> bound = new ArrayList<>();
        try {
            for (ListenerConfig listener : config.listeners()) {
                InetSocketAddress address = new InetSocketAddress(
                        InetAddress.getByName(listener.address().host()), listener.address().port());
                InetSocketAddress actual = frontend.bind(address);
                bound.add(actual);
                log.info("listening on {} ({})", hostPort(actual), listener.name());
            }
        } catch (Exception e) {
            frontend.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException("cannot listen: " + e.getMessage(), e);
        }
        log.info("Bascule started: {} event loops on {}, config {} (version {})",
                loops, transport.name(), config.source(), first.version());
        return new Bascule(group, frontend, live, bound);
    }

    static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /** The addresses actually bound, in listener order (a configured port 0 becomes a real one). */
    public List<InetSocketAddress> listenerAddresses() {
        return boundAddresses;
    }

    public LiveSnapshot live() {
        return live;
    }

    /** Stops accepting, then stops the event loops, letting in-flight work run for a short moment. */
    @Override
    public void close() {
        frontend.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
