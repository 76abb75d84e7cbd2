package dev.bascule.health;

import dev.bascule.balance.Balancers;
import dev.bascule.config.ConfigLoader;
import dev.bascule.config.HealthCheckConfig;
import dev.bascule.control.ControlPlane;
import dev.bascule.control.Resolver;
import dev.bascule.control.Status;
import dev.bascule.upstream.Server;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real control plane for one upstream {@code web} with active checks, and a checker on its own event loop.
 * Tests close it; it closes the checker, the control plane and the loop.
 */
final class HealthFixture implements AutoCloseable {
    static final String UPSTREAM = "web";

    final ControlPlane control;
    final EventLoopGroup group;
    final ActiveHealthChecker checker;

    private HealthFixture(ControlPlane control) {
        this.control = control;
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.checker = new ActiveHealthChecker(control, group, NioSocketChannel.class);
    }

    /** @param healthCheck the body of the upstream's {@code health_check:} block, e.g. {@code path: /health} */
    static String yaml(String healthCheck, String... servers) {
        StringBuilder s = new StringBuilder();
        for (String address : servers) {
            s.append("      - { address: ").append(address).append(" }\n");
        }
        return """
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                upstreams:
                  web:
                    servers:
                %s    health_check: { %s }
                routes:
                  - match: { path_prefix: / }
                    upstream: web
                """.formatted(s, healthCheck);
    }

    static HealthFixture start(String yaml) throws Exception {
        return new HealthFixture(ControlPlane.start(parse(yaml), Balancers.standard(), Resolver.SYSTEM,
                Clock.systemUTC(), System::nanoTime, Executors.newSingleThreadScheduledExecutor()));
    }

    static dev.bascule.config.BasculeConfig parse(String yaml) throws Exception {
        return new ConfigLoader(Balancers.standard().names()).parse(yaml, "t.yaml");
    }

    /** The control plane's probe target for {@code address}. */
    ProbeTarget target(String address) {
        return control.probeTargets().stream()
                .filter(t -> t.address().equals(address))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no probe target " + address));
    }

    /** The same target with other check settings. */
    static ProbeTarget withCheck(ProbeTarget t, HealthCheckConfig check) {
        return new ProbeTarget(t.upstream(), t.address(), t.socketAddress(), check, t.fresh());
    }

    static HealthCheckConfig check(String path, Duration timeout, int healthyThreshold, int unhealthyThreshold) {
        return new HealthCheckConfig(path, Duration.ofHours(1), timeout, 200, 399, healthyThreshold,
                unhealthyThreshold, null);
    }

    /** "healthy", "unhealthy", ... as the admin status reports it. */
    String state(String address) throws Exception {
        Status.UpstreamStatus u = control.status().get(5, TimeUnit.SECONDS).upstreams().get(UPSTREAM);
        return u.servers().stream()
                .filter(s -> s.address().equals(address))
                .findFirst()
                .map(Status.ServerStatus::state)
                .orElseThrow(() -> new AssertionError("no server " + address));
    }

    /** Addresses the balancer of {@code web} chooses among in the live snapshot. */
    List<String> candidates() {
        return control.live().get().pools().get(UPSTREAM).candidates().stream().map(Server::address).toList();
    }

    @Override
    public void close() {
        checker.close();
        control.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
