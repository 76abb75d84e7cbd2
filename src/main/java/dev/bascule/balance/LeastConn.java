package dev.bascule.balance;

import dev.bascule.upstream.Server;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Least connections ({@code least_conn}): the server with the fewest in-flight requests per unit of weight
 * (see {@link Load}).
 *
 * <p>Ties go round robin, otherwise an idle pool would send every request to the first server until it had one
 * in flight. The turn is counted among the tied servers themselves (a second scan), not as a rotating start
 * of the scan: a rotating start hands the server after a busy one the busy one's turns as well.
 *
 * <p>Threading: immutable apart from the tie-breaking counter; {@link #pick} is safe from any number of
 * threads. The in-flight counts it reads move under it, so a pick is a good choice, not a guaranteed minimum.
 */
public final class LeastConn implements Balancer {
    /** The name in configuration. */
    public static final String NAME = "least_conn";

    private final Server[] servers;
    /** Advanced by every event loop on each pick that meets a tie. */
    private final AtomicInteger rotation = new AtomicInteger();

    public LeastConn(List<Server> candidates) {
        this.servers = candidates.toArray(new Server[0]);
    }

    @Override
    public Server pick(PickContext context) {
        Server best = null;
        int ties = 0;
        for (Server s : servers) {
            if (context.excluded(s)) {
                continue;
            }
            if (best == null || Load.lighter(s, best)) {
                best = s;
                ties = 1;
            } else if (!Load.lighter(best, s)) {
                ties++;
            }
        }
        if (ties <= 1) {
            return best;
        }
        int turn = Math.floorMod(rotation.getAndIncrement(), ties);
        for (Server s : servers) {
            if (!context.excluded(s) && !Load.lighter(best, s) && !Load.lighter(s, best) && turn-- == 0) {
                return s;
            }
        }
        return best; // the loads moved between the two scans
    }
}
