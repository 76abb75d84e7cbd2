package dev.bascule.config;

import java.time.Duration;
import java.util.List;

/**
 * A named pool of servers.
 *
 * @param balancer strategy name, one of the loader's known names (default {@link #DEFAULT_BALANCER})
 * @param hashKey what balancer {@link #HASH_BALANCER} hashes ({@link HashKeyConfig#CLIENT_IP} when the file does
 *     not say); always null for other balancers, where the loader rejects a {@code hash_key}
 * @param healthCheck active checks; null when absent (checks off)
 * @param passive outlier ejection on real traffic; on by default ({@link PassiveConfig#DEFAULTS})
 * @param whenAllDown what to do when no server is routable
 * @param slowStart ramp a returning or new server's weight over this; zero is off
 * @param resolveEvery how often servers given by host name are resolved again
 * @param tls TLS towards the origins; null for plain HTTP
 * @param ewmaDecay decay time of the latency average of balancer {@code ewma}
 * @param protocol how Bascule speaks to the servers: {@link HttpProtocol#HTTP1} (the default), {@link
 *     HttpProtocol#H2} (over TLS, ALPN {@code h2}; only with {@code tls}) or {@link HttpProtocol#H2C} (cleartext
 *     with prior knowledge; never with {@code tls})
 * @param queue where requests wait while every server is at its {@code max_connections}; null when absent (such a
 *     request gets 503 at once)
 */
public record UpstreamConfig(
        String name,
        String balancer,
        HashKeyConfig hashKey,
        List<ServerConfig> servers,
        HealthCheckConfig healthCheck,
        PassiveConfig passive,
        WhenAllDown whenAllDown,
        Duration slowStart,
        Duration resolveEvery,
        UpstreamTlsConfig tls,
        Duration ewmaDecay,
        HttpProtocol protocol,
        QueueConfig queue) {

    /** The balancer of an upstream that names none; the balance registry must provide it. */
    public static final String DEFAULT_BALANCER = "round_robin";
    /** The one balancer that takes a {@code hash_key}. */
    public static final String HASH_BALANCER = "hash";
    /** The one balancer that takes an {@code ewma_decay}; the registry may or may not provide it. */
    public static final String EWMA_BALANCER = "ewma";
    public static final Duration DEFAULT_RESOLVE_EVERY = Duration.ofSeconds(30);
    /**
     * Shorter than Finagle's 10 s on purpose. The average is peak-sensitive, so it remembers the worst response of
     * roughly the last decay time; healthy servers have rare spikes too (a GC pause, a descheduled process), and
     * with 10 s they carried those for so long that they looked nearly as slow as a server slow on one response
     * in ten (bench scenario d: 1.2-2.7% of requests slow with 10 s, 0.2-0.3% with 500 ms). 500 ms still spans
     * dozens of responses per server at the rates where balancing matters.
     */
    public static final Duration DEFAULT_EWMA_DECAY = Duration.ofMillis(500);

    /** What happens when every server of a pool is down or ejected. */
    public enum WhenAllDown {
        /** Spread requests over all servers anyway (Envoy's panic mode). */
        FAIL_OPEN,
        /** Answer 503 with Retry-After. */
        REJECT
    }

    public UpstreamConfig {
        servers = List.copyOf(servers);
    }

    public UpstreamConfig(String name, String balancer, HashKeyConfig hashKey, List<ServerConfig> servers,
            HealthCheckConfig healthCheck) {
        this(name, balancer, hashKey, servers, healthCheck, PassiveConfig.DEFAULTS, WhenAllDown.FAIL_OPEN,
                Duration.ZERO, DEFAULT_RESOLVE_EVERY, null, DEFAULT_EWMA_DECAY, HttpProtocol.HTTP1, null);
    }
}
