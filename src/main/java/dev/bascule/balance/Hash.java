package dev.bascule.balance;

import dev.bascule.upstream.Server;
import java.util.Arrays;
import java.util.List;

/**
 * Consistent hashing ({@code hash}) on {@link PickContext#affinityHash()}, ketama style: each server puts
 * {@link #POINTS_PER_WEIGHT} points per unit of weight on a ring of 64-bit hashes, and a request goes to the
 * owner of the first point at or after its own hash. Adding one server to n moves about 1/(n+1) of the keys,
 * all of them to the new server; removing one moves only the keys it owned.
 *
 * <p>Those guarantees hold because a server's points depend on nothing but its address and weight: neither the
 * other servers, nor the candidates' order, nor the gcd of the weights changes them. Only past
 * {@link #MAX_POINTS} are the point counts scaled down, trading stability across changes for bounded memory.
 *
 * <p>When the owner is excluded (a retry), the request walks on along the ring to the next distinct owner that
 * is not, so a retried key still lands on the same second choice every time.
 *
 * <p>Threading: immutable; {@link #pick} is safe from any number of threads.
 */
public final class Hash implements Balancer {
    /** The name in configuration. */
    public static final String NAME = "hash";
    /** Enough points that a server's share of the ring stays within a few percent of its weight (ketama's 160). */
    static final int POINTS_PER_WEIGHT = 160;
    /** Largest ring kept: 8 MiB of hashes plus 4 MiB of owners. */
    static final int MAX_POINTS = 1 << 20;
    /**
     * Points walked past an excluded owner before scanning the servers instead; past that many points nearly
     * every owner has been seen, and walking a huge ring of few, all excluded, servers would cost a millisecond.
     */
    private static final int WALK_LIMIT = 1024;

    private final Server[] servers;
    /** Sorted ring positions. */
    private final long[] points;
    /** {@code owners[i]} is the index in {@link #servers} of the server owning {@code points[i]}. */
    private final int[] owners;

    public Hash(List<Server> candidates) {
        this.servers = candidates.toArray(new Server[0]);
        long totalWeight = 0;
        for (Server s : servers) {
            totalWeight += s.weight();
        }
        long wanted = totalWeight * POINTS_PER_WEIGHT;
        int[] counts = new int[servers.length];
        int size = 0;
        for (int i = 0; i < servers.length; i++) {
            long count = (long) servers[i].weight() * POINTS_PER_WEIGHT;
            counts[i] = (int) (wanted > MAX_POINTS ? Math.max(1, count * MAX_POINTS / wanted) : count);
            size += counts[i];
        }
        long[] hashes = new long[size];
        int[] hashOwners = new int[size];
        StringBuilder name = new StringBuilder();
        int at = 0;
        // Points go in by address so that the stable sort leaves equal hashes (astronomically rare, but
        // possible) in address order: the ring then does not depend on the candidates' order.
        for (int i : byAddress(servers)) {
            name.setLength(0);
            name.append(servers[i].address()).append('#');
            int prefix = name.length();
            for (int k = 0; k < counts[i]; k++, at++) {
                name.setLength(prefix);
                hashes[at] = AffinityHash.hash64(name.append(k));
                hashOwners[at] = i;
            }
        }
        sort(hashes, hashOwners);
        this.points = hashes;
        this.owners = hashOwners;
    }

    @Override
    public Server pick(PickContext context) {
        int size = points.length;
        if (size == 0) {
            return null;
        }
        int at = ceiling(context.affinityHash());
        Server owner = servers[owners[at]];
        if (!context.excluded(owner)) {
            return owner;
        }
        Server rejected = owner;
        int walk = Math.min(size, WALK_LIMIT);
        for (int k = 1; k < walk; k++) {
            if (++at == size) {
                at = 0;
            }
            Server s = servers[owners[at]];
            if (s != rejected) {
                if (!context.excluded(s)) {
                    return s;
                }
                rejected = s;
            }
        }
        if (walk == size) {
            return null; // the whole ring, hence every server, was looked at
        }
        int n = servers.length;
        for (int k = 1; k <= n; k++) {
            Server s = servers[(owners[at] + k) % n];
            if (!context.excluded(s)) {
                return s;
            }
        }
        return null;
    }

    /**
     * The server a request whose affinity hash is {@code hash} goes to when nothing is excluded: the owner of the
     * first point at or after it. A pure lookup, for showing where a key lands (the admin API's explain); null
     * when there are no candidates.
     */
    public Server owner(long hash) {
        return points.length == 0 ? null : servers[owners[ceiling(hash)]];
    }

    /** Points on the ring; visible for tests. */
    int ringSize() {
        return points.length;
    }

    /** Index of the first point at or after {@code hash}, wrapping to 0 past the last. */
    private int ceiling(long hash) {
        int lo = 0;
        int hi = points.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (points[mid] < hash) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo == points.length ? 0 : lo;
    }

    private static Integer[] byAddress(Server[] servers) {
        Integer[] order = new Integer[servers.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> servers[x].address().compareTo(servers[y].address()));
        return order;
    }

    /**
     * Sorts {@code keys} ascending as signed longs, moving {@code values} along, stably. A radix sort of
     * primitives, not a comparison sort of boxed pairs: on a million-point ring that cut the rebuild from about
     * half a second to well under a quarter.
     */
    private static void sort(long[] keys, int[] values) {
        int size = keys.length;
        long[] keysTmp = new long[size];
        int[] valuesTmp = new int[size];
        for (int shift = 0; shift < 64; shift += 8) {
            int[] starts = new int[257];
            for (long k : keys) {
                starts[digit(k, shift) + 1]++;
            }
            for (int d = 0; d < 256; d++) {
                starts[d + 1] += starts[d];
            }
            for (int i = 0; i < size; i++) {
                int to = starts[digit(keys[i], shift)]++;
                keysTmp[to] = keys[i];
                valuesTmp[to] = values[i];
            }
            System.arraycopy(keysTmp, 0, keys, 0, size);
            System.arraycopy(valuesTmp, 0, values, 0, size);
        }
    }

    /** Byte {@code shift / 8} of {@code key}, the top one with its sign flipped so negatives sort first. */
    private static int digit(long key, int shift) {
        int d = (int) (key >>> shift) & 0xFF;
        return shift == 56 ? d ^ 0x80 : d;
    }
}
