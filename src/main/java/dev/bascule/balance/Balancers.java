package dev.bascule.balance;

import dev.bascule.upstream.Server;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The strategies by configuration name. Adding a strategy is one class and one entry here; config validation
 * asks {@link #names()} so the two cannot drift apart.
 *
 * <p>Every strategy returns {@code null} from {@code pick} when built over no candidates, so an upstream whose
 * servers are all unhealthy needs no special balancer.
 *
 * <p>Threading: immutable; safe to share. Used by the control plane when it builds a snapshot.
 */
public final class Balancers {
    private final Map<String, BalancerFactory> factories;

    /**
     * @param random the randomness of the randomized strategies; each call must return a generator the calling
     *     thread may use (tests pass a seeded generator, production {@link #standard()} a thread-local one)
     */
    public Balancers(Supplier<? extends RandomGenerator> random) {
        Map<String, BalancerFactory> map = new LinkedHashMap<>();
        map.put(RoundRobin.NAME, RoundRobin::new);
        map.put(LeastConn.NAME, (candidates, previous) -> new LeastConn(candidates));
        map.put(RandomTwo.NAME, (candidates, previous) -> new RandomTwo(candidates, random));
        map.put(Hash.NAME, (candidates, previous) -> new Hash(candidates));
        map.put(RandomTwo.EWMA_NAME,
                (candidates, previous) -> new RandomTwo(candidates, random, LoadMeasure.PEAK_EWMA));
        this.factories = Collections.unmodifiableMap(map);
    }

    /** The production registry, drawing randomness from {@link ThreadLocalRandom}. */
    public static Balancers standard() {
        return new Balancers(ThreadLocalRandom::current);
    }

    /** @throws IllegalArgumentException for a name not in {@link #names()}, with a message fit for a config error */
    public BalancerFactory factory(String name) {
        BalancerFactory factory = factories.get(name);
        if (factory == null) {
            throw new IllegalArgumentException(
                    "unknown balancer '" + name + "', expected one of " + String.join(", ", factories.keySet()));
        }
        return factory;
    }

    /** The known names, {@code round_robin} (the default) first, in a fixed order. */
    public Set<String> names() {
        return factories.keySet();
    }

    /** Shorthand for {@code factory(name).create(candidates, previous)}. */
    public Balancer create(String name, List<Server> candidates, Balancer previous) {
        return factory(name).create(candidates, previous);
    }
}
