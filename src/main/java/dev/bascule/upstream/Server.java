package dev.bascule.upstream;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One origin server as a snapshot sees it: its configured address, the resolved socket address, its weight, its
 * cap on open connections, and the {@link ServerState} shared with every other snapshot that has the same server.
 *
 * <p>Immutable; safe to share between threads. The address is resolved when the snapshot is built, never on
 * the data plane.
 */
public final class Server {
    private final String address;
    private final InetSocketAddress socketAddress;
    private final int weight;
    private final ServerState state;
    private final int maxConnections;

    /** A server without a cap on its connections. */
    public Server(String address, InetSocketAddress socketAddress, int weight, ServerState state) {
        this(address, socketAddress, weight, state, 0);
    }

    /** @param maxConnections cap on the origin connections open to it across event loops; 0 for none */
    public Server(String address, InetSocketAddress socketAddress, int weight, ServerState state, int maxConnections) {
        if (weight < 1) {
            throw new IllegalArgumentException("weight must be >= 1: " + weight);
        }
        this.address = Objects.requireNonNull(address, "address");
        this.socketAddress = Objects.requireNonNull(socketAddress, "socketAddress");
        this.weight = weight;
        this.state = Objects.requireNonNull(state, "state");
        if (maxConnections < 0) {
            throw new IllegalArgumentException("maxConnections must be >= 0: " + maxConnections);
        }
        this.maxConnections = maxConnections;
    }

    /** The address as configured, {@code host:port}; the server's identity within its pool. */
    public String address() {
        return address;
    }

    public InetSocketAddress socketAddress() {
        return socketAddress;
    }

    public int weight() {
        return weight;
    }

    public ServerState state() {
        return state;
    }

    /** Cap on the origin connections open to this server from all event loops together; 0 when there is none. */
    public int maxConnections() {
        return maxConnections;
    }

    @Override
    public String toString() {
        return address + "(w=" + weight + ")";
    }
}
