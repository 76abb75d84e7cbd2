package dev.bascule.control;

import java.net.InetSocketAddress;

/**
 * One server of a pool as the control plane knows it: where it is, its weight, and where it came from.
 *
 * <p>Immutable.
 *
 * @param address identity within the pool, {@code host:port} as configured, or {@code ip:port} for a server
 *     found in DNS
 * @param resolved the socket address connections go to
 * @param configured the configured {@code host:port} a DNS member was resolved from; null for other sources
 * @param maxConnections cap on the origin connections open to it across event loops; 0 for none (each member
 *     a DNS name resolves to gets the configured cap)
 */
public record Member(String address, InetSocketAddress resolved, int weight, Source source, String configured,
        int maxConnections) {

    /** A member without a cap on its connections (servers added through the admin API). */
    public Member(String address, InetSocketAddress resolved, int weight, Source source, String configured) {
        this(address, resolved, weight, source, configured, 0);
    }

    /**
     * Where a member came from: the file, the admin API, a DNS name, or a fleet's etcd, where an origin registered
     * itself ({@code /bascule/<name>/upstreams/<upstream>/servers/<address>}).
     */
    public enum Source {
        CONFIG("config"),
        API("api"),
        DNS("dns"),
        ETCD("etcd");

        private final String label;

        Source(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public Member withWeight(int newWeight) {
        return new Member(address, resolved, newWeight, source, configured, maxConnections);
    }
}
