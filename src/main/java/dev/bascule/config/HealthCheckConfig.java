package dev.bascule.config;

import java.time.Duration;

/** Active health check settings of an upstream. */
public record HealthCheckConfig(String path, Duration interval, Duration timeout) {}
