package dev.bascule.state;

import dev.bascule.release.RolloutState;
import java.util.ArrayList;
import java.util.List;

/**
 * The runtime changes made through the admin API that must outlive a reload and a restart: split weights,
 * servers added, removed, reweighted or drained, and rollouts (the last one of each route, live or over, so that
 * a running one resumes at its step after a restart). Each change keeps the file's value it overrode, so that a reload
 * can tell whether the file changed the same thing since (then the file wins).
 *
 * <p>Immutable; each {@code with...} returns a new state.
 *
 * @param splits at most one per route, in the order made
 * @param servers at most one per (upstream, address, kind), in the order made
 * @param rollouts at most one per route, in the order started
 */
public record ReleaseState(List<SplitChange> splits, List<ServerChange> servers, List<RolloutState> rollouts) {
    public static final ReleaseState EMPTY = new ReleaseState(List.of(), List.of(), List.of());

    public ReleaseState {
        splits = List.copyOf(splits);
        servers = List.copyOf(servers);
        rollouts = List.copyOf(rollouts);
    }

    /** Splits and server changes, no rollout (as format {@code bascule-state/1} held them). */
    public ReleaseState(List<SplitChange> splits, List<ServerChange> servers) {
        this(splits, servers, List.of());
    }

    /**
     * Whether {@code other} holds the same changes, its rollouts the same decisions ({@link
     * RolloutState#sameDecisions}): what a fleet must share. A rollout's figures alone change at every judgement,
     * and each instance publishes its own.
     */
    public boolean sameDecisions(ReleaseState other) {
        if (!splits.equals(other.splits) || !servers.equals(other.servers)
                || rollouts.size() != other.rollouts.size()) {
            return false;
        }
        for (int i = 0; i < rollouts.size(); i++) {
            if (!rollouts.get(i).sameDecisions(other.rollouts.get(i))) {
                return false;
            }
        }
        return true;
    }

    public boolean isEmpty() {
        return splits.isEmpty() && servers.isEmpty() && rollouts.isEmpty();
    }

    /** The last rollout of {@code route}; null when it has had none. */
    public RolloutState rollout(String route) {
        for (RolloutState r : rollouts) {
            if (r.route().equals(route)) {
                return r;
            }
        }
        return null;
    }

    /** This state with {@code rollout} in place of any earlier rollout of its route. */
    public ReleaseState withRollout(RolloutState rollout) {
        List<RolloutState> next = new ArrayList<>(rollouts);
        int at = -1;
        for (int i = 0; i < next.size(); i++) {
            if (next.get(i).route().equals(rollout.route())) {
                at = i;
            }
        }
        if (at < 0) {
            next.add(rollout);
        } else {
            next.set(at, rollout);
        }
        return new ReleaseState(splits, servers, next);
    }

    /** The split change of {@code route}; null when its split is the file's. */
    public SplitChange split(String route) {
        for (SplitChange s : splits) {
            if (s.route().equals(route)) {
                return s;
            }
        }
        return null;
    }

    /** This state with {@code change} in place of any earlier change of its route. */
    public ReleaseState withSplit(SplitChange change) {
        List<SplitChange> next = new ArrayList<>(splits);
        next.removeIf(s -> s.route().equals(change.route()));
        next.add(change);
        return new ReleaseState(next, servers, rollouts);
    }

    /** This state without a change of {@code route}'s split: the file's applies. */
    public ReleaseState withoutSplit(String route) {
        List<SplitChange> next = new ArrayList<>(splits);
        next.removeIf(s -> s.route().equals(route));
        return new ReleaseState(next, servers, rollouts);
    }

    /** The change of that kind to that server; null for none. */
    public ServerChange server(String upstream, String address, ServerChange.Kind kind) {
        for (ServerChange s : servers) {
            if (s.is(upstream, address) && s.kind() == kind) {
                return s;
            }
        }
        return null;
    }

    /** This state with {@code change} in place of any earlier change of the same kind to the same server. */
    public ReleaseState withServer(ServerChange change) {
        List<ServerChange> next = new ArrayList<>(servers);
        next.removeIf(s -> s.is(change.upstream(), change.address()) && s.kind() == change.kind());
        next.add(change);
        return new ReleaseState(splits, next, rollouts);
    }

    /** This state without the change of that kind to that server. */
    public ReleaseState withoutServer(String upstream, String address, ServerChange.Kind kind) {
        List<ServerChange> next = new ArrayList<>(servers);
        next.removeIf(s -> s.is(upstream, address) && s.kind() == kind);
        return new ReleaseState(splits, next, rollouts);
    }

    /** This state without any change to that server. */
    public ReleaseState withoutServer(String upstream, String address) {
        List<ServerChange> next = new ArrayList<>(servers);
        next.removeIf(s -> s.is(upstream, address));
        return new ReleaseState(splits, next, rollouts);
    }
}
