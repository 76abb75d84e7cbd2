package dev.bascule.balance;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Which side of a weighted split a request goes to: by turns, or by a client's key. Sides are indices; the
 * weights are those in force, a side that cannot serve (every server down) given 0 by the caller.
 *
 * <p><b>By turns</b> ({@link #next}): smooth weighted round robin, as {@link RoundRobin} plays it: one full cycle
 * is laid out at construction and a single atomic counter, shared by every event loop, hands each position to
 * exactly one request. So every run of consecutive requests as long as a cycle (the weights' sum over their gcd:
 * 10 for 90/10) holds each side exactly by its weight, whichever event loops the requests came on, and 90/10
 * gives exactly 900 and 100 over 1,000 requests of one client connection when nothing else uses the route. With
 * several loops sending, each loop's own share varies with how the requests interleave; the route's total does
 * not.
 *
 * <p><b>By key</b> ({@link #stick}): weighted rendezvous hashing. Each side scores {@code -ln(u) / weight}, where
 * {@code u} in (0, 1] is the key's hash mixed with the side's seed, and the lowest score wins; a side of weight 0
 * never does. A client's side is thus a pure function of its key and the weights, each side gets its weight's
 * share of the keys, and it is monotonic: raising one side's weight while the others keep their proportions (a
 * two-sided split, or a rollout that divides the rest as it was) moves keys only onto that side, never between
 * the others nor back, and at 100 every key is on it. Unlike intervals laid end to end on [0, 100), this holds
 * for any number of sides and any side, whatever their order. A side taken out (weight 0) gives its keys to the
 * others in proportion, and gets the same keys back when it returns.
 *
 * <p>Threading: immutable apart from the turn counter; {@link #next}, {@link #peek} and {@link #stick} are safe
 * from any number of threads and allocate nothing.
 */
public final class SplitChoice {
    /** Largest sum of weights, hence of a cycle: splits are in percent, so 100 is the most they use. */
    static final int MAX_TOTAL = 10_000;

    private final int[] weights;
    private final long[] seeds;
    private final int[] cycle;
    /** Taken by every event loop on each request by turns; carried over from the choice this one replaces. */
    private final AtomicLong position;

    /**
     * @param weights each side's weight, at least one of them positive
     * @param seeds each side's seed for {@link #stick}: a hash of its name, so a side keeps its keys whatever
     *     its place in the list
     * @param position the turn counter of the choice this one replaces, or a new one
     */
    public SplitChoice(int[] weights, long[] seeds, AtomicLong position) {
        if (weights.length == 0 || weights.length != seeds.length) {
            throw new IllegalArgumentException("one weight and one seed per side, at least one side");
        }
        long total = 0;
        for (int w : weights) {
            if (w < 0) {
                throw new IllegalArgumentException("negative weight " + w);
            }
            total += w;
        }
        if (total == 0 || total > MAX_TOTAL) {
            throw new IllegalArgumentException("weights must add up to 1 to " + MAX_TOTAL + ", not " + total);
        }
        this.weights = weights.clone();
        this.seeds = seeds.clone();
        this.cycle = cycle(this.weights);
        this.position = position;
    }

    /** The side of the next request by turns. */
    public int next() {
        return cycle[(int) Math.floorMod(position.getAndIncrement(), (long) cycle.length)];
    }

    /** The side {@link #next} would give now, without taking the turn (explain shows it). */
    public int peek() {
        return cycle[(int) Math.floorMod(position.get(), (long) cycle.length)];
    }

    /** The side of the client whose key hashes to {@code keyHash} ({@link AffinityHash#hash64}). */
    public int stick(long keyHash) {
        int best = -1;
        double bestScore = Double.POSITIVE_INFINITY;
        for (int i = 0; i < weights.length; i++) {
            int w = weights[i];
            if (w == 0) {
                continue;
            }
            // 53 random bits as a double in (0, 1]: never 0, so the logarithm is finite.
            double u = ((mix(keyHash ^ seeds[i]) >>> 11) + 1) * 0x1.0p-53;
            double score = -Math.log(u) / w;
            if (score < bestScore) {
                bestScore = score;
                best = i;
            }
        }
        return best;
    }

    /** The weights this choice deals by. */
    public int weight(int side) {
        return weights[side];
    }

    /** The counter that {@link #next} takes turns from, to carry into the choice that replaces this one. */
    public AtomicLong position() {
        return position;
    }

    /** Positions in one full cycle; visible for tests. */
    int cycleLength() {
        return cycle.length;
    }

    /** Stafford's variant 13 of the 64-bit finalizer: every input bit flips each output bit about half the time. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** nginx's smooth weighted round robin over the weights divided by their gcd; ties go to the earlier side. */
    private static int[] cycle(int[] weights) {
        int g = 0;
        for (int w : weights) {
            g = gcd(g, w);
        }
        int n = weights.length;
        int total = 0;
        int[] reduced = new int[n];
        for (int i = 0; i < n; i++) {
            reduced[i] = weights[i] / g;
            total += reduced[i];
        }
        int[] cycle = new int[total];
        long[] current = new long[n];
        for (int step = 0; step < total; step++) {
            int best = -1;
            for (int i = 0; i < n; i++) {
                if (reduced[i] == 0) {
                    continue;
                }
                current[i] += reduced[i];
                if (best < 0 || current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            cycle[step] = best;
        }
        return cycle;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
