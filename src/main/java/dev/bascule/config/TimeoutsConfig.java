package dev.bascule.config;

import java.time.Duration;

/**
 * @param connect opening a connection to an origin
 * @param responseHeader from the request being sent until the origin's response head arrives (504 after)
 * @param clientIdle an idle keep-alive client connection is closed after this
 * @param upstreamIdle an idle pooled origin connection is closed after this
 * @param clientHeader the whole request header block must arrive within this (slowloris defence; 408 after)
 * @param clientBodyIdle a request body that does not move for this long is abandoned
 */
public record TimeoutsConfig(Duration connect, Duration responseHeader, Duration clientIdle, Duration upstreamIdle,
        Duration clientHeader, Duration clientBodyIdle) {

    public static final TimeoutsConfig DEFAULTS = new TimeoutsConfig(Duration.ofSeconds(2), Duration.ofSeconds(30),
            Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(30));

    public TimeoutsConfig(Duration connect, Duration responseHeader, Duration clientIdle, Duration upstreamIdle) {
        this(connect, responseHeader, clientIdle, upstreamIdle, DEFAULTS_CLIENT_HEADER, DEFAULTS_CLIENT_BODY_IDLE);
    }

    private static final Duration DEFAULTS_CLIENT_HEADER = Duration.ofSeconds(10);
    private static final Duration DEFAULTS_CLIENT_BODY_IDLE = Duration.ofSeconds(30);
}
