package dev.bascule.control;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's part that keeps the servers registered in a fleet's etcd in their pools (source {@code
 * etcd}): a server that appears is added (routable at once, or after its first passing probe when the pool has
 * active checks), a new weight applies, and a server that disappears (deregistered, or its lease expired because
 * the origin died) is drained and removed once its last request finished. A reload keeps them, and their state.
 * The registrations are not runtime changes: etcd holds them, so they are never written to the state file.
 *
 * <p>Threading: control thread only.
 */
final class RegisteredServers {
    private static final Logger log = LoggerFactory.getLogger(RegisteredServers.class);

    /**
     * A change made to a pool, for the dashboard's transitions.
     *
     * @param to the state it went to; null for "as {@code /status} names it now" (the caller asks)
     */
    record Change(String upstream, String address, String from, String to, String reason) {}

    /** Drains a member and removes it once idle; the control plane's removal, without a runtime change. */
    interface Removal {
        void remove(String upstream, Member m);
    }

    private final Membership membership;
    /** Registrations as etcd holds them now: upstream, then address, then weight. */
    private Map<String, Map<String, Integer>> desired = Map.of();
    /** Registrations that could not be taken (unknown upstream, a taken address), so each is logged once. */
    private final Set<String> refused = new HashSet<>();

    RegisteredServers(Membership membership) {
        this.membership = membership;
    }

    /**
     * Brings the pools in line with the registrations.
     *
     * @param probedUpstreams the upstreams with active checks (a server added there waits for its first pass)
     * @return the changes made, to record; empty when nothing changed
     */
    List<Change> follow(Map<String, Map<String, Integer>> next, Set<String> probedUpstreams, Removal removal) {
        desired = copy(next);
        List<Change> changes = new ArrayList<>();
        for (Map.Entry<String, Map<String, Integer>> u : desired.entrySet()) {
            String upstream = u.getKey();
            if (!membership.pools().containsKey(upstream)) {
                refuseOnce(upstream, "*", "no upstream '" + upstream + "' in the config");
                continue;
            }
            for (Map.Entry<String, Integer> s : u.getValue().entrySet()) {
                String address = s.getKey();
                int weight = s.getValue();
                Member m = membership.find(upstream, Membership.normalize(address));
                if (m == null) {
                    try {
                        Member added = membership.add(upstream, address, weight, probedUpstreams.contains(upstream),
                                Member.Source.ETCD);
                        refused.remove(upstream + " " + address);
                        log.info("upstream {} server {} registered in etcd (weight {})", upstream, added.address(),
                                weight);
                        changes.add(new Change(upstream, added.address(), "absent", null,
                                "registered in etcd, weight " + weight));
                    } catch (CommandException e) {
                        refuseOnce(upstream, address, e.getMessage());
                    }
                } else if (m.source() != Member.Source.ETCD) {
                    refuseOnce(upstream, address, "the server is already in the pool (from the " + m.source().label()
                            + ")");
                } else {
                    if (m.weight() != weight) {
                        membership.setWeight(upstream, m.address(), weight);
                        log.info("upstream {} server {} weight {} (from etcd)", upstream, m.address(), weight);
                        changes.add(new Change(upstream, m.address(), "weight " + m.weight(), "weight " + weight,
                                "weight changed in etcd"));
                    }
                    if (membership.state(upstream, m).draining()) {
                        membership.drain(upstream, m.address(), false); // registered again while leaving
                        changes.add(new Change(upstream, m.address(), "draining", null, "registered in etcd again"));
                    }
                }
            }
        }
        for (Map.Entry<String, List<Member>> pool : membership.pools().entrySet()) {
            String upstream = pool.getKey();
            Map<String, Integer> wanted = desired.getOrDefault(upstream, Map.of());
            for (Member m : List.copyOf(pool.getValue())) {
                if (m.source() == Member.Source.ETCD && !wanted.containsKey(m.address())
                        && !membership.state(upstream, m).draining()) {
                    log.info("upstream {} server {} no longer registered in etcd: draining it for removal", upstream,
                            m.address());
                    changes.add(new Change(upstream, m.address(), "healthy", "draining",
                            "no longer registered in etcd (deregistered, or its lease expired): it leaves once its"
                                    + " last request finishes"));
                    removal.remove(upstream, m);
                }
            }
        }
        return changes;
    }

    /**
     * A reload's pools with the registered servers kept in them, as the same members (so they keep their state);
     * a server the new config lists itself is the file's.
     */
    Map<String, List<Member>> keptIn(Map<String, List<Member>> next) {
        Map<String, List<Member>> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<Member>> e : next.entrySet()) {
            List<Member> list = new ArrayList<>(e.getValue());
            for (Member m : membership.of(e.getKey())) {
                if (m.source() == Member.Source.ETCD && desired.getOrDefault(e.getKey(), Map.of())
                        .containsKey(m.address()) && list.stream().noneMatch(x -> x.address().equals(m.address()))) {
                    list.add(m);
                }
            }
            out.put(e.getKey(), list);
        }
        return out;
    }

    /** The registrations as etcd holds them, for a reload to add those a new upstream now makes possible. */
    Map<String, Map<String, Integer>> desired() {
        return desired;
    }

    private void refuseOnce(String upstream, String address, String why) {
        if (refused.add(upstream + " " + address)) {
            log.warn("upstream {} server {} registered in etcd not taken: {}", upstream, address, why);
        }
    }

    private static Map<String, Map<String, Integer>> copy(Map<String, Map<String, Integer>> m) {
        Map<String, Map<String, Integer>> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, Map.copyOf(v)));
        return out;
    }
}
