package dev.bascule.balance;

import dev.bascule.upstream.Server;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Power of two random choices ({@code random_two}): draw two distinct servers with probability proportional to
 * weight and send the request to the less loaded of the two (see {@link Load}). Unlike {@link LeastConn} it
 * needs no full scan and no shared counter, and because in-flight counts lag, it does not stampede every
 * event loop onto the same momentarily idle server (Mitzenmacher; Finagle's default).
 *
 * <p>Threading: immutable; {@link #pick} is safe from any number of threads provided the random supplier
 * hands each thread a generator it may use (production passes {@code ThreadLocalRandom::current}).
 */
public final class RandomTwo implements Balancer {
    /** The name in configuration. */
    public static final String NAME = "random_two";
    /** The name of the same choice made by peak-EWMA latency instead of in-flight requests. */
    public static final String EWMA_NAME = "ewma";
    /** Draws spent looking for a non-excluded server before scanning for one. */
    private static final int DRAWS = 3;

    private final Server[] servers;
    /** {@code ends[i]} is the sum of the weights of servers 0..i: server i owns [ends[i] - w_i, ends[i]). */
    private final long[] ends;
    private final long total;
    private final Supplier<? extends RandomGenerator> random;
    private final LoadMeasure load;

    public RandomTwo(List<Server> candidates, Supplier<? extends RandomGenerator> random) {
        this(candidates, random, LoadMeasure.IN_FLIGHT);
    }

    /** @param load how the two drawn servers are compared */
    RandomTwo(List<Server> candidates, Supplier<? extends RandomGenerator> random, LoadMeasure load) {
        this.load = Objects.requireNonNull(load, "load");
        this.servers = candidates.toArray(new Server[0]);
        this.random = Objects.requireNonNull(random, "random");
        this.ends = new long[servers.length];
        long sum = 0;
        for (int i = 0; i < servers.length; i++) {
            sum += servers[i].weight();
            ends[i] = sum;
        }
        this.total = sum;
    }

    @Override
    public Server pick(PickContext context) {
        int n = servers.length;
        if (n == 0) {
            return null;
        }
        if (n == 1) {
            return context.excluded(servers[0]) ? null : servers[0];
        }
        RandomGenerator rnd = random.get();
        int first = -1;
        for (int d = 0; d < DRAWS && first < 0; d++) {
            int i = owner(rnd.nextLong(total));
            if (!context.excluded(servers[i])) {
                first = i;
            }
        }
        if (first < 0) {
            // Most of the weight is excluded; scan from a random place so the survivors share the retries.
            first = scan(context, rnd.nextInt(n));
            if (first < 0) {
                return null;
            }
        }
        Server a = servers[first];
        long weightA = a.weight();
        long startA = ends[first] - weightA;
        for (int d = 0; d < DRAWS; d++) {
            // Draw over every other server's weight by skipping a's range, so the pair is distinct without
            // rejection sampling.
            long r = rnd.nextLong(total - weightA);
            Server b = servers[owner(r < startA ? r : r + weightA)];
            if (!context.excluded(b)) {
                return load.lighter(b, a, context.nowNanos()) ? b : a;
            }
        }
        return a;
    }

    /** The server whose weight range holds {@code r}: the first {@code i} with {@code ends[i] > r}. */
    private int owner(long r) {
        int lo = 0;
        int hi = ends.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ends[mid] > r) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    private int scan(PickContext context, int from) {
        int n = servers.length;
        for (int k = 0; k < n; k++) {
            int i = (from + k) % n;
            if (!context.excluded(servers[i])) {
                return i;
            }
        }
        return -1;
    }
}
