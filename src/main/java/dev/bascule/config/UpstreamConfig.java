package dev.bascule.config;

import java.util.List;

/**
 * A named pool of servers.
 *
 * @param balancer strategy name, one of the loader's known names (default {@link #DEFAULT_BALANCER})
 * @param hashKey what balancer {@link #HASH_BALANCER} hashes ({@link HashKeyConfig#CLIENT_IP} when the file does
 *     not say); always null for other balancers, where the loader rejects a {@code hash_key}
 * @param healthCheck null when absent
 */
public record UpstreamConfig(
        String name, String balancer, HashKeyConfig hashKey, List<ServerConfig> servers, HealthCheckConfig healthCheck) {

    /** The balancer of an upstream that names none; the balance registry must provide it. */
    public static final String DEFAULT_BALANCER = "round_robin";
    /** The one balancer that takes a {@code hash_key}. */
    public static final String HASH_BALANCER = "hash";

    public UpstreamConfig {
        servers = List.copyOf(servers);
    }
}
