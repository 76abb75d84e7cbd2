package dev.bascule.control;

import dev.bascule.config.BasculeConfig;
import dev.bascule.config.UpstreamConfig;
import dev.bascule.state.ReleaseState;
import dev.bascule.state.ServerChange;
import dev.bascule.upstream.ServerState;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BinaryOperator;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's part that changes pools on command: servers added, removed (drained first, taken out once
 * their last request finished), drained and reweighted through the admin API, each recorded as a runtime change
 * and in the dashboard's transitions; and the servers a fleet's origins register in etcd ({@link
 * RegisteredServers}), which leave the same way.
 *
 * <p>Threading: control thread only; {@link ControlPlane} hands each command here on that thread.
 */
final class ServerCommands {
    private static final Logger log = LoggerFactory.getLogger(ServerCommands.class);
    /** How often a removal checks whether the drained server's last request finished. */
    private static final long DRAIN_POLL_MILLIS = 50;

    private final ScheduledExecutorService thread;
    private final Membership membership;
    private final RegisteredServers registered;
    private final RuntimeChanges changes;
    private final StateKeeper keeper;
    private final StateSharing sharing;
    private final Transitions transitions;
    private final Supplier<BasculeConfig> file;
    /** A server's state as {@code /status} names it, by upstream and address. */
    private final BinaryOperator<String> labelOf;
    private final Runnable publish;
    /** Publishes, and lets active checks follow the pools. */
    private final Runnable membershipChanged;
    private final LongSupplier nanoTime;

    ServerCommands(ScheduledExecutorService thread, Membership membership, RegisteredServers registered,
            RuntimeChanges changes, StateKeeper keeper, StateSharing sharing, Transitions transitions,
            Supplier<BasculeConfig> file, BinaryOperator<String> labelOf, Runnable publish,
            Runnable membershipChanged, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.thread = thread;
        this.membership = membership;
        this.registered = registered;
        this.changes = changes;
        this.keeper = keeper;
        this.sharing = sharing;
        this.transitions = transitions;
        this.file = file;
        this.labelOf = labelOf;
        this.publish = publish;
        this.membershipChanged = membershipChanged;
    }

    void add(String upstream, String address, int weight) {
        UpstreamConfig u = file.get().upstreams().get(upstream);
        membership.add(upstream, address, weight, u != null && u.healthCheck() != null);
        changes.serverAdded(upstream, Membership.normalize(address), weight);
        keeper.save(changes.state());
        log.info("upstream {} server {} added (weight {})", upstream, address, weight);
        transitions.record("membership", upstream, Membership.normalize(address), "absent",
                labelOf.apply(upstream, address), "added through the admin API, weight " + weight);
        membershipChanged.run();
    }

    void remove(String upstream, String address) {
        String from = labelOf.apply(upstream, address);
        Member m = membership.startRemoval(upstream, address);
        ServerState state = membership.state(upstream, m);
        changes.drainSet(upstream, m.address(), true); // a restart before it leaves finds it drained
        keeper.save(changes.state());
        transitions.record("membership", upstream, m.address(), from, "draining",
                "removal through the admin API: it leaves once its last request finishes");
        publish.run();
        log.info("upstream {} server {} draining for removal", upstream, m.address());
        thread.schedule(() -> finishRemoval(upstream, m, state, 0), DRAIN_POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    void drain(String upstream, String address, boolean draining) {
        String from = labelOf.apply(upstream, address);
        Member m = membership.drain(upstream, address, draining);
        if (m != null) {
            changes.drainSet(upstream, m.address(), draining);
            keeper.save(changes.state());
            log.info("upstream {} server {} {}", upstream, m.address(), draining ? "draining" : "undrained");
            transitions.record("drain", upstream, m.address(), from, labelOf.apply(upstream, address),
                    (draining ? "drained" : "undrained") + " through the admin API");
            publish.run();
        }
    }

    void setWeight(String upstream, String address, int weight) {
        Member m = membership.setWeight(upstream, address, weight);
        changes.weightSet(upstream, m.address(), weight);
        keeper.save(changes.state());
        log.info("upstream {} server {} weight {}", upstream, m.address(), weight);
        publish.run();
    }

    /** Brings the pools in line with a fleet's registrations: upstream, then address, then weight. */
    void followRegistered(Map<String, Map<String, Integer>> registrations) {
        Set<String> probed = new HashSet<>();
        file.get().upstreams().values().forEach(u -> {
            if (u.healthCheck() != null) {
                probed.add(u.name());
            }
        });
        List<RegisteredServers.Change> done = registered.follow(registrations, probed, (upstream, m) -> {
            ServerState state = membership.state(upstream, membership.startRemoval(upstream, m.address()));
            thread.schedule(() -> finishRemoval(upstream, m, state, 0), DRAIN_POLL_MILLIS, TimeUnit.MILLISECONDS);
        });
        for (RegisteredServers.Change c : done) {
            transitions.record("membership", c.upstream(), c.address(), c.from(),
                    c.to() != null ? c.to() : labelOf.apply(c.upstream(), c.address()), c.reason());
        }
        if (!done.isEmpty()) {
            membershipChanged.run();
        }
    }

    /** Puts a runtime state in force as a reload would: the pools, drains and splits it sets, published. */
    void putStateInForce(ReleaseState next) {
        changes.replaceState(next);
        keeper.save(next); // the state file keeps the last shared state: a restart with etcd away starts from it
        membership.replaceAll(registered.keptIn(changes.applyToFile(log::warn)));
        for (Map.Entry<String, List<Member>> pool : membership.pools().entrySet()) {
            for (Member m : pool.getValue()) {
                if (m.source() == Member.Source.ETCD) {
                    continue; // drained by their registration, not by the runtime state
                }
                ServerState st = membership.state(pool.getKey(), m);
                boolean drained = next.server(pool.getKey(), m.address(), ServerChange.Kind.DRAINED) != null;
                if (st.draining() != drained) {
                    st.setDraining(drained);
                    if (!drained) {
                        st.setRoutableSinceNanos(nanoTime.getAsLong());
                    }
                }
            }
        }
        membershipChanged.run();
    }

    private void finishRemoval(String upstream, Member m, ServerState state, int idlePolls) {
        Member current = membership.find(upstream, m.address());
        if (current == null || membership.state(upstream, current) != state || !state.draining()) {
            return; // a reload replaced the server, or an undrain called the removal off
        }
        // Two quiet polls in a row: a request that read the previous snapshot just before the drain has had
        // time to register itself.
        // Tunnels (upgraded WebSockets) are not waited for: they run on until they close or shutdown comes.
        int polls = state.inFlight() - state.tunnels() <= 0 ? idlePolls + 1 : 0;
        if (polls < 2) {
            thread.schedule(() -> finishRemoval(upstream, m, state, polls), DRAIN_POLL_MILLIS, TimeUnit.MILLISECONDS);
            return;
        }
        sharing.background(() -> finishRemovalNow(upstream, current, state), false);
    }

    private void finishRemovalNow(String upstream, Member m, ServerState state) {
        if (membership.finishRemoval(upstream, m, state)) {
            changes.serverRemoved(upstream, m.address());
            keeper.save(changes.state());
            membershipChanged.run();
            log.info("upstream {} server {} removed", upstream, m.address());
            transitions.record("membership", upstream, m.address(), "draining", "removed",
                    "its last request finished");
        }
    }
}
