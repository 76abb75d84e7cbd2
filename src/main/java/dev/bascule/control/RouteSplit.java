package dev.bascule.control;

import dev.bascule.balance.SplitChoice;
import dev.bascule.upstream.AffinityKey;
import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * A route split across upstreams by weight, as one snapshot holds it: each side's own action (its pool, hence its
 * balancer, health and retries, and the series its requests count in), and the {@link SplitChoice} that deals
 * requests to the sides. A side whose every server is down has a share of 0 here, so its share goes to the
 * others; when every side is down they keep their weights and each side's {@code when_all_down} applies.
 *
 * <p>Immutable apart from the choice's turn counter; part of a snapshot. {@link #next}, {@link #stick} and
 * {@link #newStickyValue} are called on event loops and take no lock.
 *
 * @param sides in the order configured
 * @param sticky what places a client on its side; null when requests are dealt by turns
 * @param random the event loop's random source, for a missing sticky cookie's value
 */
public record RouteSplit(List<Side> sides, SplitChoice choice, AffinityKey sticky,
        Supplier<RandomGenerator> random) {

    /**
     * One side of a split.
     *
     * @param weight its weight in force (the file's, or one set through the admin API), in percent
     * @param share the weight the split deals by now: 0 while every server of the side is down
     * @param action the route's action with this side's pool and series
     * @param down no server of the side is routable (none at all, in panic, or rejecting)
     */
    public record Side(String upstream, int weight, int share, RouteAction action, boolean down) {}

    public RouteSplit {
        sides = List.copyOf(sides);
    }

    /** The action of the side the next request goes to, by turns. */
    public RouteAction next() {
        return sides.get(choice.next()).action();
    }

    /** The action of the side of a client whose sticky key hashes to {@code keyHash}. */
    public RouteAction stick(long keyHash) {
        return sides.get(choice.stick(keyHash)).action();
    }

    /** A fresh value for a client without the sticky cookie: 128 random bits in hex. */
    public String newStickyValue() {
        RandomGenerator r = random.get();
        return hex(r.nextLong()) + hex(r.nextLong());
    }

    /**
     * The {@code Set-Cookie} field value that gives a client {@code value} (RFC 6265 4.1): for every path, out of
     * reach of scripts, and not sent on cross-site subrequests. A session cookie: it lasts as the browser keeps it.
     */
    public String setCookie(String value) {
        return sticky.name() + '=' + value + "; Path=/; HttpOnly; SameSite=Lax";
    }

    private static String hex(long bits) {
        String digits = Long.toHexString(bits);
        return "0".repeat(16 - digits.length()) + digits;
    }
}
