package dev.bascule.upstream;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One origin server as a snapshot sees it: its configured address, the resolved socket address, its weight,
 * and the {@link ServerState} shared with every other snapshot that has the same server.
 *
 * <p>Immutable; safe to share between threads. The address is resolved when the snapshot is built, never on
 * the data plane.
 */
public final class Server {
    private final String address;
    private final InetSocketAddress socketAddress;
    private final int weight;
    private final ServerState state;

    public Server(String address, InetSocketAddress socketAddress, int weight, ServerState state) {
        if (weight < 1) {
            throw new IllegalArgumentException("weight must be >= 1: " + weight);
        }
        this.address = Objects.requireNonNull(address, "address");
        this.socketAddress = Objects.requireNonNull(socketAddress, "socketAddress");
        this.weight = weight;
        this.state = Objects.requireNonNull(state, "state");
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

    @Override
    public String toString() {
        return address + "(w=" + weight + ")";
    }
}
