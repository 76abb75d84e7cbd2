package dev.bascule.control;

import dev.bascule.config.HostPort;
import dev.bascule.upstream.ServerRegistry;
import dev.bascule.upstream.ServerState;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The servers of every pool and the operator's commands on them (add, drain, undrain, remove, reweight), each
 * validated here and nowhere else: a refused command throws {@link CommandException} and changes nothing.
 *
 * <p>Threading: control thread only.
 */
final class Membership {
    static final int MIN_WEIGHT = 1;
    static final int MAX_WEIGHT = 1000;

    private final ServerRegistry registry;
    private final Resolver resolver;
    private final LongSupplier nanoTime;
    private Map<String, List<Member>> members;
    /** Servers added at runtime that wait for their first passing probe. */
    private final Set<ServerState> fresh = new HashSet<>();

    Membership(ServerRegistry registry, Resolver resolver, LongSupplier nanoTime, Map<String, List<Member>> members) {
        this.registry = registry;
        this.resolver = resolver;
        this.nanoTime = nanoTime;
        this.members = members;
    }

    /** Every pool's members by upstream name; read-only. */
    Map<String, List<Member>> pools() {
        return Collections.unmodifiableMap(members);
    }

    /** The members of {@code upstream}; empty for an unknown one. */
    List<Member> of(String upstream) {
        return members.getOrDefault(upstream, List.of());
    }

    ServerState state(String upstream, Member m) {
        return registry.stateFor(upstream, m.address());
    }

    boolean isFresh(ServerState state) {
        return fresh.contains(state);
    }

    /**
     * A reload's members replace every pool: the file's, with the admin API's changes that stand applied by the
     * caller. A server that stays keeps its state, a fresh one included (it still waits for its first probe).
     */
    void replaceAll(Map<String, List<Member>> next) {
        members = next;
        retainRegistry();
    }

    /**
     * Adds a server (source {@code api}); it takes traffic at once, or after its first passing probe when the
     * pool has active checks.
     */
    void add(String upstream, String address, int weight, boolean probed) {
        add(upstream, address, weight, probed, Member.Source.API);
    }

    /** Adds a server from {@code source}, as {@link #add(String, String, int, boolean)}; returns the member. */
    Member add(String upstream, String address, int weight, boolean probed, Member.Source source) {
        List<Member> list = pool(upstream);
        checkWeight(weight);
        HostPort hp;
        try {
            hp = HostPort.parse(address);
        } catch (IllegalArgumentException e) {
            throw new CommandException(400, e.getMessage());
        }
        if (hp.port() == 0) {
            throw new CommandException(400, "a server needs a real port");
        }
        String key = hp.toString();
        if (find(list, key) != null) {
            throw new CommandException(409, "server " + key + " already in upstream '" + upstream + "'");
        }
        InetSocketAddress resolved;
        try {
            resolved = new InetSocketAddress(resolver.resolve(hp.host()).get(0), hp.port());
        } catch (UnknownHostException | IndexOutOfBoundsException e) {
            throw new CommandException(400, "cannot resolve " + hp.host());
        }
        ServerState state = registry.stateFor(upstream, key);
        state.setDraining(false);
        state.setRoutableSinceNanos(nanoTime.getAsLong());
        if (probed) {
            state.setProbeHealthy(false, "not probed yet");
            fresh.add(state);
        }
        Member m = new Member(key, resolved, weight, source, null);
        list.add(m);
        return m;
    }

    /**
     * Drains or undrains a server.
     *
     * @return the member, or null when it already was in that state (nothing changed)
     */
    Member drain(String upstream, String address, boolean draining) {
        Member m = member(upstream, address);
        ServerState state = state(upstream, m);
        if (state.draining() == draining) {
            return null;
        }
        state.setDraining(draining);
        if (!draining) {
            state.setRoutableSinceNanos(nanoTime.getAsLong());
        }
        return m;
    }

    /** Starts a removal: drains the server. {@link #finishRemoval} takes it out once its requests are done. */
    Member startRemoval(String upstream, String address) {
        Member m = member(upstream, address);
        state(upstream, m).setDraining(true);
        return m;
    }

    /**
     * Takes out a server being removed when it still is the same member and still draining (a reload or an
     * undrain calls the removal off).
     *
     * @return whether it was taken out
     */
    boolean finishRemoval(String upstream, Member m, ServerState state) {
        List<Member> list = members.get(upstream);
        if (list == null || !list.contains(m) || registry.stateFor(upstream, m.address()) != state
                || !state.draining()) {
            return false;
        }
        list.remove(m);
        fresh.remove(state);
        retainRegistry();
        return true;
    }

    Member setWeight(String upstream, String address, int weight) {
        checkWeight(weight);
        List<Member> list = pool(upstream);
        Member m = member(upstream, address);
        list.set(list.indexOf(m), m.withWeight(weight));
        return m;
    }

    /**
     * An active check passed for the first time on a fresh server.
     *
     * @return whether it was fresh
     */
    boolean firstPass(ServerState state) {
        return fresh.remove(state);
    }

    /** Replaces a pool's members after a DNS change; new addresses start their slow start now. */
    void follow(String upstream, List<Member> next) {
        List<Member> current = pool(upstream);
        long now = nanoTime.getAsLong();
        for (Member m : next) {
            if (find(current, m.address()) == null) {
                registry.stateFor(upstream, m.address()).setRoutableSinceNanos(now);
            }
        }
        current.clear();
        current.addAll(next);
        retainRegistry();
    }

    /** The member of {@code upstream} at {@code address}, or null. */
    Member find(String upstream, String address) {
        List<Member> list = members.get(upstream);
        return list == null ? null : find(list, address);
    }

    private void retainRegistry() {
        Set<ServerState> live = new HashSet<>();
        for (Map.Entry<String, List<Member>> e : members.entrySet()) {
            for (Member m : e.getValue()) {
                live.add(registry.stateFor(e.getKey(), m.address()));
            }
        }
        fresh.retainAll(live);
        registry.retainOnly(live);
    }

    static void checkWeight(int weight) {
        if (weight < MIN_WEIGHT || weight > MAX_WEIGHT) {
            throw new CommandException(400, "weight must be from " + MIN_WEIGHT + " to " + MAX_WEIGHT);
        }
    }

    private List<Member> pool(String upstream) {
        List<Member> list = members.get(upstream);
        if (list == null) {
            throw new CommandException(404, "unknown upstream '" + upstream + "'");
        }
        return list;
    }

    private Member member(String upstream, String address) {
        Member m = find(pool(upstream), normalize(address));
        if (m == null) {
            throw new CommandException(404, "no server " + address + " in upstream '" + upstream + "'");
        }
        return m;
    }

    static String normalize(String address) {
        try {
            return HostPort.parse(address).toString();
        } catch (IllegalArgumentException e) {
            return address;
        }
    }

    private static Member find(List<Member> list, String address) {
        for (Member m : list) {
            if (m.address().equals(address)) {
                return m;
            }
        }
        return null;
    }
}
