package dev.bascule.config;

import java.time.Duration;

/**
 * @param connect opening a connection to an origin
 * @param responseHeader from the request being sent until the origin's response head arrives (504 after)
 * @param clientIdle an idle keep-alive client connection is closed after this
 * @param upstreamIdle an idle pooled origin connection is closed after this
 */
public record TimeoutsConfig(Duration connect, Duration responseHeader, Duration clientIdle, Duration upstreamIdle) {
    public static final TimeoutsConfig DEFAULTS =
            new TimeoutsConfig(Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(60));
}
