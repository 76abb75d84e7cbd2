package dev.bascule.config;

import java.util.List;

/**
 * The admin HTTP server: where it listens and what guards it.
 *
 * @param address where it listens
 * @param tokenFile the file whose first line is the bearer token every guarded request must present
 *     ({@code token_file}); null for none, which the binder allows on a loopback address only
 * @param tls the certificate it serves HTTPS with ({@code tls: { cert, key }}); null for plain HTTP
 * @param allowedHosts the host names accepted in {@code Host} besides the loopback ones ({@code allowed_hosts}),
 *     lower case; empty on a non-loopback address means any
 */
public record AdminConfig(HostPort address, TokenFile tokenFile, CertificateConfig tls, List<String> allowedHosts) {

    public AdminConfig {
        allowedHosts = List.copyOf(allowedHosts);
    }

    /** Plain HTTP with no token and only the default host names. */
    public AdminConfig(HostPort address) {
        this(address, null, null, List.of());
    }
}
