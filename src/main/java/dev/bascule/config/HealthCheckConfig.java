package dev.bascule.config;

import java.time.Duration;

/**
 * Active health check settings of an upstream.
 *
 * @param path request path of the probe, starting with '/'
 * @param interval time between probes of one server
 * @param timeout a probe without a response after this counts as a failure
 * @param expectStatusMin lowest status that counts as a pass ({@code expect_status: 200-399})
 * @param expectStatusMax highest status that counts as a pass
 * @param healthyThreshold passes in a row that bring a DOWN server back
 * @param unhealthyThreshold failures in a row that take a server out
 * @param host Host header of probes; null means the server's address
 */
public record HealthCheckConfig(String path, Duration interval, Duration timeout, int expectStatusMin,
        int expectStatusMax, int healthyThreshold, int unhealthyThreshold, String host) {

    /** What each key of {@code health_check:} defaults to when not written. */
    public static final HealthCheckConfig DEFAULTS =
            new HealthCheckConfig("/health", Duration.ofSeconds(2), Duration.ofSeconds(1), 200, 399, 2, 3, null);

    public HealthCheckConfig(String path, Duration interval, Duration timeout) {
        this(path, interval, timeout, DEFAULTS.expectStatusMin(), DEFAULTS.expectStatusMax(),
                DEFAULTS.healthyThreshold(), DEFAULTS.unhealthyThreshold(), DEFAULTS.host());
    }
}
