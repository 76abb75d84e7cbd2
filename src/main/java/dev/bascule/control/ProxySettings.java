package dev.bascule.control;

/**
 * Timeouts and limits the data plane applies, in the units it uses.
 *
 * <p>Immutable.
 *
 * @param connectTimeoutMillis opening an origin connection
 * @param responseHeaderTimeoutMillis from sending a request until the origin's response head (504 after)
 * @param clientIdleMillis idle client keep-alive connections close after this
 * @param upstreamIdleMillis idle pooled origin connections close after this
 * @param maxUriLength longest request target (414 above it)
 * @param maxHeaderSize largest request header block (431 above it)
 */
public record ProxySettings(
        int connectTimeoutMillis,
        long responseHeaderTimeoutMillis,
        long clientIdleMillis,
        long upstreamIdleMillis,
        int maxUriLength,
        int maxHeaderSize) {}
