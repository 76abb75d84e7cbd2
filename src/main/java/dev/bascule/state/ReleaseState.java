package dev.bascule.state;

import java.util.ArrayList;
import java.util.List;

/**
 * The runtime changes made through the admin API that must outlive a reload and a restart: split weights, and
 * servers added, removed, reweighted or drained. Each change keeps the file's value it overrode, so that a reload
 * can tell whether the file changed the same thing since (then the file wins).
 *
 * <p>Immutable; each {@code with...} returns a new state.
 *
 * @param splits at most one per route, in the order made
 * @param servers at most one per (upstream, address, kind), in the order made
 */
public record ReleaseState(List<SplitChange> splits, List<ServerChange> servers) {
    public static final ReleaseState EMPTY = new ReleaseState(List.of(), List.of());

    public ReleaseState {
        splits = List.copyOf(splits);
        servers = List.copyOf(servers);
    }

    public boolean isEmpty() {
        return splits.isEmpty() && servers.isEmpty();
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
        return new ReleaseState(next, servers);
    }

    /** This state without a change of {@code route}'s split: the file's applies. */
    public ReleaseState withoutSplit(String route) {
        List<SplitChange> next = new ArrayList<>(splits);
        next.removeIf(s -> s.route().equals(route));
        return new ReleaseState(next, servers);
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
        return new ReleaseState(splits, next);
    }

    /** This state without the change of that kind to that server. */
    public ReleaseState withoutServer(String upstream, String address, ServerChange.Kind kind) {
        List<ServerChange> next = new ArrayList<>(servers);
        next.removeIf(s -> s.is(upstream, address) && s.kind() == kind);
        return new ReleaseState(splits, next);
    }

    /** This state without any change to that server. */
    public ReleaseState withoutServer(String upstream, String address) {
        List<ServerChange> next = new ArrayList<>(servers);
        next.removeIf(s -> s.is(upstream, address));
        return new ReleaseState(splits, next);
    }
}
