package dev.bascule.config;

import java.time.Duration;

/**
 * @param connect opening a connection to an origin
 * @param responseHeader from the request being sent until the origin's response head arrives (504 after)
 * @param clientIdle an idle keep-alive client connection is closed after this
 * @param upstreamIdle an idle pooled origin connection is closed after this
 * @param clientHeader the whole request header block must arrive within this (slowloris defence; 408 after)
 * @param clientBodyIdle a request body that does not move for this long is abandoned
 * @param tunnelIdle an upgraded (WebSocket) connection with no byte either way for this long is closed
 * @param streamIdle a gRPC call with no frame either way for this long is closed
 */
public record TimeoutsConfig(Duration connect, Duration responseHeader, Duration clientIdle, Duration upstreamIdle,
        Duration clientHeader, Duration clientBodyIdle, Duration tunnelIdle, Duration streamIdle) {

    public static final TimeoutsConfig DEFAULTS = new TimeoutsConfig(Duration.ofSeconds(2), Duration.ofSeconds(30),
            Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofHours(1), Duration.ofMinutes(5));

    public TimeoutsConfig(Duration connect, Duration responseHeader, Duration clientIdle, Duration upstreamIdle) {
        this(connect, responseHeader, clientIdle, upstreamIdle, DEFAULTS_CLIENT_HEADER, DEFAULTS_CLIENT_BODY_IDLE,
                DEFAULTS_TUNNEL_IDLE, DEFAULTS_STREAM_IDLE);
    }

    private static final Duration DEFAULTS_CLIENT_HEADER = Duration.ofSeconds(10);
    private static final Duration DEFAULTS_CLIENT_BODY_IDLE = Duration.ofSeconds(30);
    private static final Duration DEFAULTS_TUNNEL_IDLE = Duration.ofHours(1);
    private static final Duration DEFAULTS_STREAM_IDLE = Duration.ofMinutes(5);
}
