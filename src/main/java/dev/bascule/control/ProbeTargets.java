package dev.bascule.control;

import dev.bascule.config.BasculeConfig;
import dev.bascule.config.UpstreamConfig;
import dev.bascule.health.ProbeTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The servers active health checks must probe: every member of every upstream with a {@code health_check}, and
 * whether it is fresh (added at runtime, routable only after its first pass).
 *
 * <p>Threading: {@link #refresh} on the control thread, which also calls the listeners; {@link #current()} from
 * any thread (volatile).
 */
final class ProbeTargets {
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile List<ProbeTarget> current = List.of();

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
            for (Member m : membership.of(u.name())) {
                boolean fresh = membership.isFresh(membership.state(u.name(), m));
                targets.add(new ProbeTarget(u.name(), m.address(), m.resolved(), u.healthCheck(), fresh));
            }
        }
        if (!targets.equals(current)) {
            current = List.copyOf(targets);
            listeners.forEach(Runnable::run);
        }
    }
}
