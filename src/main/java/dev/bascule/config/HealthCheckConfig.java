package dev.bascule.config;

import java.time.Duration;

/**
 * Active health check settings of an upstream.
 *
 * @param path request path of the probe, starting with '/'
 * @param interval time between probes of one server
 * @param timeout a probe without a response after this counts as a failure
 */
public record HealthCheckConfig(String path, Duration interval, Duration timeout) {
    /** What each key of {@code health_check:} defaults to when not written. */
    public static final HealthCheckConfig DEFAULTS =
            new HealthCheckConfig("/health", Duration.ofSeconds(2), Duration.ofSeconds(1));
}
