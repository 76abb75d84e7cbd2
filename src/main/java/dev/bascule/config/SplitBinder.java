package dev.bascule.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Binds a route's {@code split} and {@code sticky} for {@link RouteBinder}; same error contract: every problem
 * reported where it is written, binding goes on.
 */
final class SplitBinder {
    static final List<String> SIDE_KEYS = List.of("upstream", "weight");
    static final List<String> STICKY_KEYS = List.of("key");
    static final String STICKY_FORM = "cookie:NAME, client_ip or header:NAME";

    private final Problems problems;

    SplitBinder(Problems problems) {
        this.problems = problems;
    }

    /**
     * The route's split, with its {@code sticky} key; null when the route has no {@code split} (then a
     * {@code sticky} is reported) or, after reporting, a bad one.
     *
     * @param upstreamNames every upstream name written in the file, or null to skip the reference check
     */
    SplitConfig bind(Fields route, Set<String> upstreamNames) {
        YamlNode node = route.node("split");
        HashKeyConfig sticky = sticky(route.node("sticky"));
        if (node == null) {
            if (route.node("sticky") != null) {
                problems.add(route.keyMark("sticky"), "'sticky' needs a 'split': it keeps a client on one side of"
                        + " the split");
            }
            return null;
        }
        if (route.node("upstream") != null) {
            problems.add(route.keyMark("split"), "a route has 'upstream' or 'split', not both: a split names its"
                    + " upstreams itself");
        }
        if (route.node("redirect") != null) {
            problems.add(route.keyMark("split"), "a route has 'split' or 'redirect', not both: a redirect is"
                    + " answered by Bascule itself");
        }
        YamlNode.Sequence seq = route.sequence(node, "split");
        if (seq == null) {
            return null;
        }
        List<SplitConfig.Side> sides = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        boolean bad = false;
        int total = 0;
        for (YamlNode item : seq.items()) {
            Fields f = Fields.open(item, "a split entry", problems, SIDE_KEYS);
            if (f == null) {
                bad = true;
                continue;
            }
            String upstream = f.requiredText("upstream");
            Integer weight = f.parsedRequired("weight",
                    text -> Units.parseInteger("weight", text, 0, SplitConfig.TOTAL));
            if (upstream != null && upstreamNames != null && !upstreamNames.contains(upstream)) {
                problems.add(f.valueMark("upstream"), "unknown upstream '" + upstream + "'");
                bad = true;
            }
            if (upstream != null && !seen.add(upstream)) {
                problems.add(f.valueMark("upstream"), "upstream '" + upstream + "' is already in this split");
                bad = true;
            }
            if (upstream == null || weight == null) {
                bad = true;
                continue;
            }
            total += weight;
            sides.add(new SplitConfig.Side(upstream, weight));
        }
        if (bad) {
            return null;
        }
        if (sides.size() < 2) {
            problems.add(seq.mark(), "a split needs at least two upstreams; a route to one upstream is written"
                    + " 'upstream: NAME'");
            return null;
        }
        if (total != SplitConfig.TOTAL) {
            problems.add(seq.mark(), "split weights add up to " + total + "; they are percentages and must add up"
                    + " to " + SplitConfig.TOTAL);
            return null;
        }
        return new SplitConfig(sides, sticky);
    }

    /** The {@code sticky} key; null when absent or, after reporting, bad. */
    private HashKeyConfig sticky(YamlNode node) {
        Fields f = node == null ? null : Fields.open(node, "'sticky'", problems, STICKY_KEYS);
        if (f == null) {
            return null;
        }
        return f.parsedRequired("key", SplitBinder::parseStickyKey);
    }

    /**
     * {@code cookie:NAME} (a token, RFC 6265 4.1.1: Bascule may have to set it), {@code client_ip} or {@code
     * header:NAME} (a token, RFC 9110 5.1).
     */
    static HashKeyConfig parseStickyKey(String text) {
        HashKeyConfig key;
        try {
            key = HashKeyConfig.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad sticky key '" + text + "', expected " + STICKY_FORM);
        }
        if (key.source() != HashKeyConfig.Source.CLIENT_IP && !ConfigBinder.isToken(key.name())) {
            throw new IllegalArgumentException("bad sticky key '" + text + "': the " + key.source().name()
                    .toLowerCase(java.util.Locale.ROOT) + " name must be a token (letters, digits and"
                    + " !#$%&'*+-.^_`|~)");
        }
        return key;
    }
}
