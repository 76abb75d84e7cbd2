package dev.bascule.control;

import dev.bascule.config.RequestMatchConfig;
import dev.bascule.release.RolloutState;
import java.util.List;

/**
 * One route as the admin API reports it ({@code GET /routes}): how it matches, and where it sends requests.
 *
 * <p>Immutable.
 *
 * @param name its {@code name}; null when it has none (then the API cannot change it)
 * @param label its {@code route} label in metrics: the name, or the match written compactly
 * @param upstream the upstream of a route to one; null for a split or redirect route
 * @param split the sides of a split route, in order; null for another route
 * @param splitSource {@code file}, or {@code api} when the weights were set through the admin API; null without
 *     a split
 * @param sticky what keeps a client on its side ({@code cookie:NAME}, {@code client_ip}, {@code header:NAME});
 *     null when requests are dealt by turns, or without a split
 * @param redirect what a redirect route answers; null for another route
 * @param rollout the route's last rollout, live or over; null when it has had none
 */
public record RouteStatus(String name, String label, String host, String pathPrefix, boolean stripPrefix,
        RequestMatchConfig conditions, String upstream, List<Side> split, String splitSource, String sticky,
        String redirect, RolloutState rollout) {

    /**
     * @param weight in force, in percent
     * @param fileWeight what the file says
     * @param share the weight requests are dealt by now: 0 while every server of the side is down
     * @param down no server of the side is routable
     */
    public record Side(String upstream, int weight, int fileWeight, int share, boolean down) {}
}
