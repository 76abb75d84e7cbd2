package dev.bascule.control;

import dev.bascule.config.BasculeConfig;
import dev.bascule.config.HostPort;
import dev.bascule.config.UpstreamConfig;
import dev.bascule.health.ProbeTarget;
import dev.bascule.tls.OriginTls;
import dev.bascule.tls.TlsMaterial;
import io.netty.handler.ssl.SslContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The servers active health checks must probe: every member of every upstream with a {@code health_check}, and
 * whether it is fresh (added at runtime, routable only after its first pass).
 *
 * <p>Threading: {@link #refresh} on the control thread, which also calls the listeners; {@link #current()} from
 * any thread (volatile).
 */
final class ProbeTargets {
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    /** The loaded config's TLS contexts; a grpc check of an upstream with TLS speaks it with the same context. */
    private final Supplier<TlsMaterial> tls;
    private volatile List<ProbeTarget> current = List.of();

    ProbeTargets(Supplier<TlsMaterial> tls) {
        this.tls = tls;
    }

    List<ProbeTarget> current() {
        return current;
    }

    void onChange(Runnable listener) {
        listeners.add(listener);
    }

    /** Rebuilds the list; tells the listeners if it changed. */
    void refresh(BasculeConfig config, Membership membership) {
        List<ProbeTarget> targets = new ArrayList<>();
        for (UpstreamConfig u : config.upstreams().values()) {
            if (u.healthCheck() == null) {
                continue;
            }
            SslContext context = u.tls() != null ? tls.get().upstream(u.name()) : null;
            for (Member m : membership.of(u.name())) {
                boolean fresh = membership.isFresh(membership.state(u.name(), m));
                targets.add(new ProbeTarget(u.name(), m.address(), m.resolved(), u.healthCheck(), fresh,
                        context != null ? new OriginTls(context, peerHost(u, m)) : null));
            }
        }
        if (!targets.equals(current)) {
            current = List.copyOf(targets);
            listeners.forEach(Runnable::run);
        }
    }

    /** The name a server's certificate is checked against, as the proxy's own origin connections use it. */
    private static String peerHost(UpstreamConfig u, Member m) {
        return u.tls().sni() != null ? u.tls().sni()
                : HostPort.parse(m.configured() != null ? m.configured() : m.address()).host();
    }
}
