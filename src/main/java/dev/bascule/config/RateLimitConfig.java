package dev.bascule.config;

/**
 * A token bucket per key: {@code requestsPerSecond} tokens a second, at most {@code burst} saved up; a request
 * without a token gets 429 with Retry-After.
 *
 * @param key whose bucket a request draws from: the client address or a header ({@link HashKeyConfig})
 * @param scope where the buckets live: in this instance, or in Redis, shared by every instance
 */
public record RateLimitConfig(double requestsPerSecond, int burst, HashKeyConfig key, Scope scope) {

    /** {@code scope}: who shares a bucket. */
    public enum Scope {
        /** Each instance counts for itself (the default): N instances admit up to N times the rate. */
        LOCAL,
        /** The instances that share the {@code redis} section count together, through Redis. */
        GLOBAL
    }

    /** A local limit. */
    public RateLimitConfig(double requestsPerSecond, int burst, HashKeyConfig key) {
        this(requestsPerSecond, burst, key, Scope.LOCAL);
    }

    public boolean global() {
        return scope == Scope.GLOBAL;
    }
}
