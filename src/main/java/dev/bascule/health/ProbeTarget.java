package dev.bascule.health;

import dev.bascule.config.HealthCheckConfig;
import dev.bascule.tls.OriginTls;
import java.net.InetSocketAddress;

/**
 * A server that active health checks must probe, with its upstream's check settings.
 *
 * <p>Immutable.
 *
 * @param fresh the server joined after startup and is not routable until its first passing probe
 * @param tls how a {@code grpc} check speaks TLS to the server (its upstream's TLS, offering ALPN {@code h2});
 *     null for cleartext (h2c). {@code http} and {@code tcp} checks do not use it.
 */
public record ProbeTarget(String upstream, String address, InetSocketAddress socketAddress, HealthCheckConfig check,
        boolean fresh, OriginTls tls) {

    /** A target reached without TLS. */
    public ProbeTarget(String upstream, String address, InetSocketAddress socketAddress, HealthCheckConfig check,
            boolean fresh) {
        this(upstream, address, socketAddress, check, fresh, null);
    }
}
