package dev.bascule.config;

import java.time.Duration;
import java.util.List;

/** Binds {@code redis}: where the buckets of global rate limits are kept. One instance binds one tree. */
final class RedisBinder {
    static final List<String> REDIS_KEYS = List.of("address", "username", "password", "database", "timeout",
            "key_prefix");
    /** Redis's default {@code databases 16}; a server configured with more is rare enough to be an error here. */
    static final int MAX_DATABASE = 15;

    private final Problems problems;

    RedisBinder(Problems problems) {
        this.problems = problems;
    }

    /** @return null when absent, or after reporting a {@code redis} that is no mapping or has no usable address */
    RedisConfig bind(YamlNode node) {
        if (node == null) {
            return null;
        }
        Fields f = Fields.open(node, "'redis'", problems, REDIS_KEYS);
        if (f == null) {
            return null;
        }
        HostPort address = f.parsedRequired("address", RedisBinder::parseAddress);
        String username = f.parsed("username", RedisBinder::parseUsername, null);
        String password = f.parsed("password", RedisBinder::parsePassword, null);
        if (username != null && f.node("password") == null) {
            problems.add(f.keyMark("username"), "a redis username needs a password (AUTH takes both)");
        }
        int database = f.integer("database", 0, MAX_DATABASE, 0);
        Duration timeout = f.parsed("timeout", RedisBinder::parseTimeout, RedisConfig.DEFAULT_TIMEOUT);
        String keyPrefix = f.parsed("key_prefix", RedisBinder::parseKeyPrefix, RedisConfig.DEFAULT_KEY_PREFIX);
        if (address == null) {
            return null;
        }
        return new RedisConfig(address, username, password, database, timeout, keyPrefix);
    }

    /** A host:port with a real port: Redis is connected to, not listened on. */
    static HostPort parseAddress(String text) {
        HostPort address = HostPort.parse(text);
        if (address.port() == 0) {
            throw new IllegalArgumentException("redis address '" + text + "' needs a port (6379 by default)");
        }
        return address;
    }

    /** An ACL user name: printable, no spaces (Redis splits ACL rules on them). */
    static String parseUsername(String text) {
        if (text.isEmpty() || text.length() > 128 || !text.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
            throw new IllegalArgumentException("bad redis username: use 1 to 128 printable characters without"
                    + " spaces");
        }
        return text;
    }

    /** Not echoed in the error: a config error is printed and may end up in a log. */
    static String parsePassword(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty redis password: leave the key out for a Redis without AUTH");
        }
        return text;
    }

    static Duration parseTimeout(String text) {
        Duration timeout = Units.parseDuration(text);
        if (timeout.compareTo(RedisConfig.MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("redis timeout " + text + " is too long: a request waits this long"
                    + " for its rate-limit check, at most 1s (the default is 5ms)");
        }
        return timeout;
    }

    /** Printable ASCII, so the keys read well in redis-cli; may be empty. */
    static String parseKeyPrefix(String text) {
        if (text.length() > 64 || !text.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
            throw new IllegalArgumentException("bad redis key_prefix '" + text + "': at most 64 printable"
                    + " characters without spaces");
        }
        return text;
    }
}
