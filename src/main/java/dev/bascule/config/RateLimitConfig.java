package dev.bascule.config;

/**
 * A token bucket per key: {@code requestsPerSecond} tokens a second, at most {@code burst} saved up; a request
 * without a token gets 429 with Retry-After.
 *
 * @param key whose bucket a request draws from: the client address or a header ({@link HashKeyConfig})
 */
public record RateLimitConfig(double requestsPerSecond, int burst, HashKeyConfig key) {}
