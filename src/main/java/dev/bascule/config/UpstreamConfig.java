package dev.bascule.config;

import java.util.List;

/**
 * A named pool of servers.
 *
 * @param balancer strategy name, one of the loader's known names (default {@code round_robin})
 * @param hashKey {@code client_ip}, {@code header:NAME} or {@code cookie:NAME}; null unless set (balancer
 *     {@code hash} defaults it to {@code client_ip})
 * @param healthCheck null when absent
 */
public record UpstreamConfig(
        String name, String balancer, HashKeyConfig hashKey, List<ServerConfig> servers, HealthCheckConfig healthCheck) {

    public UpstreamConfig {
        servers = List.copyOf(servers);
    }
}
