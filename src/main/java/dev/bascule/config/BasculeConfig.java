package dev.bascule.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A whole, validated configuration. Immutable; every cross-reference (route to upstream) has been checked.
 *
 * @param source the file it was read from (for messages and reload), or a name such as {@code <demo>}
 * @param admin null when there is no admin listener
 * @param upstreams by name, in file order
 * @param shutdownGrace how long in-flight requests may run after SIGTERM ({@code shutdown_grace}, default 30s)
 * @param trustedProxies peers whose X-Forwarded-For is believed ({@code trusted_proxies}, default none)
 * @param via the name Bascule adds to {@code Via} headers ({@code via}, default {@code bascule}); null when
 *     {@code via: off}
 * @param requestId Bascule keeps a valid {@code X-Request-Id}, makes one up otherwise, and sends it upstream and
 *     back ({@code request_id}, default true)
 * @param tracing null when tracing is off ({@code tracing} absent)
 * @param accessLog where and how each finished request is logged ({@code access_log}, default JSON lines on
 *     standard output)
 * @param stateFile where runtime changes (splits and servers set through the admin API) are kept across
 *     restarts ({@code state_file}; by default {@code <config name>.state.json} beside a config read from a
 *     file); null when none are kept ({@code state_file: off}, or a config not read from a file)
 * @param redis where the buckets of global rate limits live ({@code redis}); null when absent, which no route
 *     with {@code scope: global} allows
 * @param cluster the fleet this instance belongs to ({@code cluster}); null for a single instance. With it,
 *     {@code listeners}, {@code upstreams} and {@code routes} may each be left out: a file may hold only what
 *     bootstraps an instance, and the fleet's config comes from etcd
 */
public record BasculeConfig(
        String source,
        List<ListenerConfig> listeners,
        AdminConfig admin,
        TimeoutsConfig timeouts,
        LimitsConfig limits,
        Map<String, UpstreamConfig> upstreams,
        List<RouteConfig> routes,
        Duration shutdownGrace,
        List<Cidr> trustedProxies,
        String via,
        boolean requestId,
        TracingConfig tracing,
        AccessLogConfig accessLog,
        Path stateFile,
        RedisConfig redis,
        ClusterConfig cluster) {

    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);
    public static final String DEFAULT_VIA = "bascule";

    public BasculeConfig {
        listeners = List.copyOf(listeners);
        upstreams = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(upstreams));
        routes = List.copyOf(routes);
        trustedProxies = List.copyOf(trustedProxies);
    }

    /** A config that keeps no runtime changes across restarts. */
    public BasculeConfig(String source, List<ListenerConfig> listeners, AdminConfig admin, TimeoutsConfig timeouts,
            LimitsConfig limits, Map<String, UpstreamConfig> upstreams, List<RouteConfig> routes,
            Duration shutdownGrace, List<Cidr> trustedProxies, String via, boolean requestId, TracingConfig tracing,
            AccessLogConfig accessLog) {
        this(source, listeners, admin, timeouts, limits, upstreams, routes, shutdownGrace, trustedProxies, via,
                requestId, tracing, accessLog, null, null, null);
    }

    /** A config without a {@code redis} or {@code cluster} section. */
    public BasculeConfig(String source, List<ListenerConfig> listeners, AdminConfig admin, TimeoutsConfig timeouts,
            LimitsConfig limits, Map<String, UpstreamConfig> upstreams, List<RouteConfig> routes,
            Duration shutdownGrace, List<Cidr> trustedProxies, String via, boolean requestId, TracingConfig tracing,
            AccessLogConfig accessLog, Path stateFile) {
        this(source, listeners, admin, timeouts, limits, upstreams, routes, shutdownGrace, trustedProxies, via,
                requestId, tracing, accessLog, stateFile, null, null);
    }

    /** The same config with other routes (runtime split weights applied to the file's). */
    public BasculeConfig withRoutes(List<RouteConfig> next) {
        return new BasculeConfig(source, listeners, admin, timeouts, limits, upstreams, next, shutdownGrace,
                trustedProxies, via, requestId, tracing, accessLog, stateFile, redis, cluster);
    }
}
