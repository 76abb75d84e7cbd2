package dev.bascule.config;

import java.time.Duration;

/**
 * Where an upstream's requests wait for a connection while every server they may use is at its
 * {@code max_connections}.
 *
 * @param size requests that may wait, on all event loops together; 0 answers 503 at once, as without a queue
 * @param timeout a request that waited this long gets 503 with Retry-After
 */
public record QueueConfig(int size, Duration timeout) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
}
