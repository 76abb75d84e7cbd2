package dev.bascule.balance;

import dev.bascule.upstream.Server;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs a balancer a number of times and tallies what it picked. */
final class Picks {
    private Picks() {}

    static List<Server> picks(Balancer balancer, int count) {
        return picks(balancer, TestContext.NONE, count);
    }

    static List<Server> picks(Balancer balancer, PickContext context, int count) {
        List<Server> picked = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            picked.add(balancer.pick(context));
        }
        return picked;
    }

    static Map<Server, Integer> count(List<Server> picks) {
        Map<Server, Integer> counts = new HashMap<>();
        for (Server s : picks) {
            counts.merge(s, 1, Integer::sum);
        }
        return counts;
    }
}
