package dev.bascule.config;

import java.time.Duration;

/**
 * Active health check settings of an upstream.
 *
 * @param path request path of the probe, starting with '/' (type http only; the default for other types)
 * @param interval time between probes of one server
 * @param timeout a probe without a response after this counts as a failure
 * @param expectStatusMin lowest status that counts as a pass ({@code expect_status: 200-399}; type http only)
 * @param expectStatusMax highest status that counts as a pass (type http only)
 * @param healthyThreshold passes in a row that bring a DOWN server back
 * @param unhealthyThreshold failures in a row that take a server out
 * @param host Host header (type http) or {@code :authority} (type grpc) of probes; null means the server's
 *     address; always null for type tcp
 * @param type what a probe does
 * @param service type grpc: the service name asked about, {@code ""} (the default) for the server as a whole;
 *     null for the other types
 */
public record HealthCheckConfig(String path, Duration interval, Duration timeout, int expectStatusMin,
        int expectStatusMax, int healthyThreshold, int unhealthyThreshold, String host, Type type, String service) {

    /** What each key of {@code health_check:} defaults to when not written. */
    public static final HealthCheckConfig DEFAULTS = new HealthCheckConfig("/health", Duration.ofSeconds(2),
            Duration.ofSeconds(1), 200, 399, 2, 3, null, Type.HTTP, null);

    /** What a probe does. */
    public enum Type {
        /** GET {@code path}; a status within {@code expect_status} passes. */
        HTTP,
        /**
         * The standard gRPC health service ({@code grpc.health.v1.Health/Check}) for {@code service}; SERVING
         * passes. Needs an upstream that speaks HTTP/2 ({@code protocol: h2} or {@code h2c}).
         */
        GRPC,
        /** A TCP connect that succeeds passes; nothing is sent. */
        TCP
    }

    /** An HTTP check. */
    public HealthCheckConfig(String path, Duration interval, Duration timeout, int expectStatusMin,
            int expectStatusMax, int healthyThreshold, int unhealthyThreshold, String host) {
        this(path, interval, timeout, expectStatusMin, expectStatusMax, healthyThreshold, unhealthyThreshold, host,
                Type.HTTP, null);
    }

    public HealthCheckConfig(String path, Duration interval, Duration timeout) {
        this(path, interval, timeout, DEFAULTS.expectStatusMin(), DEFAULTS.expectStatusMax(),
                DEFAULTS.healthyThreshold(), DEFAULTS.unhealthyThreshold(), DEFAULTS.host());
    }
}
