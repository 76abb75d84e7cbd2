package dev.bascule.config;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/** Binds a route's {@code mirror} for {@link RouteBinder}; same error contract. */
final class MirrorBinder {
    static final List<String> MIRROR_KEYS = List.of("upstream", "percent", "max_in_flight");
    /** Decimals a percent may have: 0.0001% is one request in a million. */
    private static final int DECIMALS = 4;

    private final Problems problems;

    MirrorBinder(Problems problems) {
        this.problems = problems;
    }

    /**
     * @param routeUpstreams the upstreams the route forwards to: its own, or each side of its split; empty when not
     *     known (a redirect route, which cannot mirror: reported by {@link RouteBinder}; a bad split)
     * @param split the route forwards by a split across {@code routeUpstreams}
     * @param upstreamNames every upstream name written in the file, or null to skip the reference check
     * @return null when absent or, after reporting, bad
     */
    MirrorConfig bind(YamlNode node, Collection<String> routeUpstreams, boolean split, Set<String> upstreamNames) {
        Fields f = node == null ? null : Fields.open(node, "'mirror'", problems, MIRROR_KEYS);
        if (f == null) {
            return null;
        }
        String upstream = f.requiredText("upstream");
        if (upstream != null && upstreamNames != null && !upstreamNames.contains(upstream)) {
            problems.add(f.valueMark("upstream"), "unknown upstream '" + upstream + "'");
            upstream = null;
        } else if (upstream != null && routeUpstreams.contains(upstream)) {
            // A copy and its request on the same servers would run it twice there: a POST would be done twice.
            // On a split route the side may hold no share today, but a PUT or a rollout can give it one at any
            // time, without the config being checked again.
            problems.add(f.valueMark("upstream"), split
                    ? "a split route cannot mirror to '" + upstream + "', one of its sides: the requests the split"
                            + " sends there would reach the same servers twice"
                    : "a route cannot mirror to its own upstream '" + upstream
                            + "': the same servers would get each copied request twice");
            upstream = null;
        }
        int perMillion = f.parsed("percent", MirrorBinder::parsePercent, MirrorConfig.ALL);
        int maxInFlight = f.integer("max_in_flight", 1, Integer.MAX_VALUE, MirrorConfig.DEFAULT_MAX_IN_FLIGHT);
        if (upstream == null) {
            return null;
        }
        return new MirrorConfig(upstream, perMillion, maxInFlight);
    }

    /**
     * A percent above 0 and at most 100 in plain decimal with at most four decimals ({@code 10}, {@code 0.5},
     * {@code 0.0001}), as millionths; not {@code 10%}, {@code 1e1} or {@code 0}.
     */
    static int parsePercent(String text) {
        int dot = text.indexOf('.');
        int decimals = dot < 0 ? 0 : text.length() - dot - 1;
        boolean plain = !text.isEmpty() && text.length() <= 9 && dot != 0 && decimals <= DECIMALS
                && (dot < 0 || decimals > 0 && dot == text.lastIndexOf('.'))
                && text.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.');
        long perMillion = -1;
        if (plain) {
            String digits = dot < 0 ? text : text.substring(0, dot) + text.substring(dot + 1);
            perMillion = Long.parseLong(digits);
            for (int i = decimals; i < DECIMALS; i++) {
                perMillion *= 10;
            }
        }
        if (perMillion <= 0 || perMillion > MirrorConfig.ALL) {
            throw new IllegalArgumentException("percent must be a number above 0 and at most 100 with at most four"
                    + " decimals, such as 10 or 0.5, found '" + text + "'");
        }
        return (int) perMillion;
    }
}
