package dev.bascule.balance;

import dev.bascule.upstream.Server;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/** A pick context with a fixed affinity hash and a mutable set of excluded servers. */
final class TestContext implements PickContext {
    static final TestContext NONE = new TestContext(0);

    private final long affinity;
    private final Set<Server> excluded = new HashSet<>();

    TestContext(long affinity, Server... excluded) {
        this.affinity = affinity;
        this.excluded.addAll(Arrays.asList(excluded));
    }

    static TestContext excluding(Server... servers) {
        return new TestContext(0, servers);
    }

    @Override
    public boolean excluded(Server server) {
        return excluded.contains(server);
    }

    @Override
    public long affinityHash() {
        return affinity;
    }

    @Override
    public long nowNanos() {
        return System.nanoTime(); // the clock EwmaTest stamps its samples with
    }
}
