package dev.bascule.config;

/**
 * One server of an upstream as configured. {@code weight} is at least 1.
 *
 * @param maxConnections cap on the origin connections open to it (connecting, busy and idle, across event loops),
 *     1 to {@link #MAX_CONNECTIONS}; 0 when there is none
 */
public record ServerConfig(HostPort address, int weight, int maxConnections) {
    /** The highest {@code max_connections} accepted. */
    public static final int MAX_CONNECTIONS = 1_000_000;

    /** A server without a cap on its connections. */
    public ServerConfig(HostPort address, int weight) {
        this(address, weight, 0);
    }
}
