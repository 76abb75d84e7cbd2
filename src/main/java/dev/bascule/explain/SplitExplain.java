package dev.bascule.explain;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bascule.balance.AffinityHash;
import dev.bascule.config.SplitConfig;
import dev.bascule.control.RouteAction;
import dev.bascule.control.RouteSplit;
import dev.bascule.upstream.AffinityKey;
import dev.bascule.upstream.Cookies;

/**
 * The split of a split route in an explanation: each side's weight and the share it gets now (0 while every
 * server of the side is down), and the side this request goes to: by its sticky key, or the side next in turn.
 * Like the rest of explain it takes nothing: {@code next} is read without taking the turn.
 *
 * <p>Stateless.
 */
final class SplitExplain {
    private SplitExplain() {}

    static ObjectNode live(RouteSplit split, Question q) {
        ObjectNode o = ExplainJson.object();
        ArrayNode sides = o.putArray("sides");
        for (RouteSplit.Side side : split.sides()) {
            sides.addObject().put("upstream", side.upstream()).put("weight", side.weight())
                    .put("share", side.share()).put("down", side.down());
        }
        AffinityKey key = split.sticky();
        if (key == null) {
            o.putNull("sticky");
            o.put("by", "turns");
            o.put("upstream", split.sides().get(split.choice().peek()).upstream());
            o.put("why", "requests are dealt to the sides in turn by weight; this is the next side");
            return o;
        }
        o.put("sticky", keyText(key));
        o.put("by", "key");
        String value = switch (key.source()) {
            case CLIENT_IP -> null;
            case HEADER -> q.header(key.name());
            case COOKIE -> Cookies.value(q.header("cookie"), key.name());
        };
        if (value == null && key.source() == AffinityKey.Source.COOKIE) {
            o.putNull("key_value");
            o.putNull("upstream");
            o.put("why", "no cookie " + key.name() + ": Bascule sets one with a random value and places the request"
                    + " by it");
            return o;
        }
        if (value == null) {
            value = q.client();
        }
        o.put("key_value", value);
        if (value == null) {
            o.putNull("upstream");
            o.put("why", "the side depends on the client address: no client given");
            return o;
        }
        o.put("upstream", split.sides().get(split.choice().stick(AffinityHash.hash64(value))).upstream());
        o.put("why", "the side of this key under the shares in force");
        return o;
    }

    /** The action of the side {@link #live} found; null when it could not tell. */
    static RouteAction chosen(RouteSplit split, ObjectNode explained) {
        String upstream = explained.get("upstream").asText(null);
        for (RouteSplit.Side side : split.sides()) {
            if (side.upstream().equals(upstream)) {
                return side.action();
            }
        }
        return null;
    }

    /** A split from the file: the weights written, and what places a client. */
    static ObjectNode offline(SplitConfig split) {
        ObjectNode o = ExplainJson.object();
        ArrayNode sides = o.putArray("sides");
        for (SplitConfig.Side side : split.sides()) {
            sides.addObject().put("upstream", side.upstream()).put("weight", side.weight());
        }
        o.put("sticky", split.sticky() == null ? null : split.sticky().toString());
        o.put("by", split.sticky() == null ? "turns" : "key");
        return o;
    }

    private static String keyText(AffinityKey key) {
        return switch (key.source()) {
            case CLIENT_IP -> "client_ip";
            case HEADER -> "header:" + key.name();
            case COOKIE -> "cookie:" + key.name();
        };
    }
}
