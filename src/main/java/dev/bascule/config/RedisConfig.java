package dev.bascule.config;

import java.time.Duration;

/**
 * The {@code redis} section: the Redis server that holds the buckets of rate limits with {@code scope: global},
 * shared by every Bascule instance that points at it. Absent when no route has a global limit.
 *
 * @param address where Redis listens ({@code address}, required)
 * @param username the ACL user ({@code username}); null for the {@code default} user, or no AUTH at all when
 *     {@code password} is null too
 * @param password sent with AUTH ({@code password}); null for none. Never printed: {@link #toString} masks it
 * @param database the logical database the buckets live in ({@code database}, default 0)
 * @param timeout the longest a request waits for Redis's answer before the local limiter decides
 *     ({@code timeout}, default 5ms)
 * @param keyPrefix put before every bucket's key ({@code key_prefix}, default {@code bascule:}), so several
 *     fleets or other applications can share one Redis
 */
public record RedisConfig(HostPort address, String username, String password, int database, Duration timeout,
        String keyPrefix) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(5);
    /** A check that may wait longer than this would stall requests behind a Redis in trouble. */
    public static final Duration MAX_TIMEOUT = Duration.ofSeconds(1);
    public static final String DEFAULT_KEY_PREFIX = "bascule:";

    /** Only the address: no AUTH, database 0, the default timeout and prefix. */
    public RedisConfig(HostPort address) {
        this(address, null, null, 0, DEFAULT_TIMEOUT, DEFAULT_KEY_PREFIX);
    }

    @Override
    public String toString() {
        return "RedisConfig[address=" + address + ", username=" + username + ", password="
                + (password == null ? "none" : "***") + ", database=" + database + ", timeout=" + timeout
                + ", keyPrefix=" + keyPrefix + "]";
    }
}
