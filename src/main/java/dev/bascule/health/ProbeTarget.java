package dev.bascule.health;

import dev.bascule.config.HealthCheckConfig;
import java.net.InetSocketAddress;

/**
 * A server that active health checks must probe, with its upstream's check settings.
 *
 * <p>Immutable.
 *
 * @param fresh the server joined after startup and is not routable until its first passing probe
 */
public record ProbeTarget(String upstream, String address, InetSocketAddress socketAddress, HealthCheckConfig check,
        boolean fresh) {}
