package dev.bascule.upstream;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runtime state of every server, keyed by upstream name and server address, so that a new snapshot that
 * still has a server picks up its load and health where the old one left them.
 *
 * <p>Threading: used by the control plane only (snapshot builds, admin); the data plane reaches states through
 * {@link Server#state()}.
 */
public final class ServerRegistry {
    private final Map<Key, ServerState> states = new ConcurrentHashMap<>();

    private record Key(String upstream, String address) {}

    /** The state for a server, created on first use. */
    public ServerState stateFor(String upstream, String address) {
        return states.computeIfAbsent(new Key(upstream, address), k -> new ServerState());
    }

    /**
     * Forgets servers that the live snapshot no longer has.
     *
     * @param live the states still in use
     */
    public void retainOnly(Collection<ServerState> live) {
        states.values().removeIf(s -> !live.contains(s));
    }

    public int size() {
        return states.size();
    }
}
