package dev.bascule.upstream;

/**
 * How long the data plane waits on origin connections: to open one (TCP and TLS handshake), and how long a
 * pooled one may sit idle. A connection keeps the values it was opened with.
 *
 * <p>Immutable.
 */
public record OriginTimeouts(int connectMillis, long idleMillis) {}
