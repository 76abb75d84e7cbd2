package dev.bascule.config;

import java.util.List;
import java.util.Map;

/**
 * A whole, validated configuration. Immutable; every cross-reference (route to upstream) has been checked.
 *
 * @param source the file it was read from (for messages and reload), or a name such as {@code <demo>}
 * @param admin null when there is no admin listener
 * @param upstreams by name, in file order
 */
public record BasculeConfig(
        String source,
        List<ListenerConfig> listeners,
        AdminConfig admin,
        TimeoutsConfig timeouts,
        LimitsConfig limits,
        Map<String, UpstreamConfig> upstreams,
        List<RouteConfig> routes) {

    public BasculeConfig {
        listeners = List.copyOf(listeners);
        upstreams = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(upstreams));
        routes = List.copyOf(routes);
    }
}
