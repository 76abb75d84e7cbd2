package dev.bascule.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The {@code cluster} section: the fleet this instance belongs to, and the etcd cluster the fleet's config, servers
 * and runtime state live in. Keys of the fleet start with {@code /bascule/<name>/}.
 *
 * <p>Immutable.
 *
 * @param name the fleet's name: letters, digits and {@code ._-}
 * @param node this instance's name in the fleet; null for the default, the host name and the admin port
 * @param etcd how to reach etcd
 */
public record ClusterConfig(String name, String node, Etcd etcd) {
    public static final Duration DEFAULT_DIAL_TIMEOUT = Duration.ofSeconds(2);

    /**
     * @param endpoints the etcd members' client URLs, {@code http://} or {@code https://}
     * @param dialTimeout how long connecting to a member may take
     * @param user with {@code password}: etcd's authentication; null for none
     * @param tls client TLS toward etcd; null for plain connections (or {@code https://} endpoints with the JDK's
     *     trusted CAs)
     */
    public record Etcd(List<URI> endpoints, Duration dialTimeout, String user, String password, EtcdTls tls) {
        public Etcd {
            endpoints = List.copyOf(endpoints);
        }

        /** No secret in log lines. */
        @Override
        public String toString() {
            return "Etcd[endpoints=" + endpoints + ", dialTimeout=" + dialTimeout + ", user=" + user + "]";
        }
    }

    /**
     * @param ca the CA that signed the members' certificates; null for the JDK's
     * @param cert with {@code key}: this instance's client certificate, for etcd's {@code --client-cert-auth};
     *     null for none
     */
    public record EtcdTls(Path ca, Path cert, Path key) {}

    /** The prefix of every key of the fleet, ending with a slash. */
    public String keyPrefix() {
        return "/bascule/" + name + "/";
    }
}
