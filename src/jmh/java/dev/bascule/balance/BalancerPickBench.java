package dev.bascule.balance;

import dev.bascule.upstream.Server;
import dev.bascule.upstream.ServerState;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One {@link Balancer#pick} per operation, for every strategy of {@link Balancers#standard()} over a small and a
 * larger pool with mixed weights, some requests in flight and (for {@code ewma}) measured latencies. The context
 * excludes nothing, as on a first attempt. Run with {@code -prof gc}: every strategy should show
 * {@code gc.alloc.rate.norm} of 0 B/op, as the {@link Balancer} contract asks.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BalancerPickBench {
    /** Must list exactly {@code Balancers.standard().names()}: {@link #setUp} fails when the two differ. */
    @Param({"round_robin", "least_conn", "random_two", "hash", "ewma"})
    public String strategy;

    @Param({"3", "30"})
    public int servers;

    private static final int[] WEIGHTS = {3, 1, 2, 5, 1, 1, 4, 2, 1, 3};

    private Balancer balancer;
    private final AffinityContext context = new AffinityContext();

    @Setup
    public void setUp() {
        Balancers registry = Balancers.standard();
        Set<String> listed = Set.of(paramValues());
        if (!listed.equals(registry.names())) {
            throw new IllegalStateException(
                    "@Param of strategy lists " + listed + " but Balancers.standard() has " + registry.names());
        }
        List<Server> pool = new ArrayList<>();
        for (int i = 0; i < servers; i++) {
            int port = 9001 + i;
            ServerState state = new ServerState();
            for (int k = 0; k < i % 4; k++) {
                state.requestStarted(); // 0..3 in flight, so least_conn and the P2C comparisons see real loads
            }
            state.recordLatency(1_000_000L + 250_000L * (i % 7), System.nanoTime()); // 1 to 2.5 ms, for ewma
            pool.add(new Server("10.0.0." + (i + 1) + ":" + port,
                    InetSocketAddress.createUnresolved("10.0.0." + (i + 1), port), WEIGHTS[i % WEIGHTS.length], state));
        }
        balancer = registry.create(strategy, pool, null);
    }

    private static String[] paramValues() {
        try {
            return BalancerPickBench.class.getField("strategy").getAnnotation(Param.class).value();
        } catch (NoSuchFieldException e) {
            throw new AssertionError(e);
        }
    }

    @Benchmark
    public Server pick() {
        return balancer.pick(context);
    }

    /**
     * Excludes nothing; hands out the affinity hashes of 1,024 client addresses in turn, as the exchange would
     * for {@code hash_key: client_ip}. Hashes are computed up front, so a pick pays only for the ring lookup.
     */
    static final class AffinityContext implements PickContext {
        private final long[] hashes = new long[1024];
        private int next;

        AffinityContext() {
            for (int i = 0; i < hashes.length; i++) {
                hashes[i] = AffinityHash.hash64("10." + (i >>> 8) + "." + (i & 0xFF) + ".7");
            }
        }

        @Override
        public boolean excluded(Server server) {
            return false;
        }

        @Override
        public long affinityHash() {
            return hashes[next++ & (hashes.length - 1)];
        }

        @Override
        public long nowNanos() {
            return System.nanoTime(); // what the exchange's event-loop ticker costs
        }
    }
}
