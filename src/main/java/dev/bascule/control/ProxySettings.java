package dev.bascule.control;

import dev.bascule.route.AddressRanges;
import dev.bascule.trace.Sampler;
import dev.bascule.upstream.OriginTimeouts;

/**
 * Timeouts and limits the data plane applies, in the units it uses.
 *
 * <p>Immutable.
 *
 * @param origin opening origin connections, and how long pooled ones may idle
 * @param responseHeaderTimeoutMillis from sending a request until the origin's response head (504 after)
 * @param clientIdleMillis idle client keep-alive connections close after this
 * @param maxUriLength longest request target (414 above it)
 * @param maxHeaderSize largest request header block (431 above it)
 * @param clientHeaderTimeoutMillis a request's whole header block must arrive within this (408 after)
 * @param clientBodyIdleMillis a request body that Bascule waits on without a byte arriving for this long is
 *     abandoned
 * @param maxHeaderCount most header fields in a request (431 above it)
 * @param maxConnections concurrent client connections per listener; more are closed at accept
 * @param maxConnectionsPerIp concurrent client connections from one address; 0 means no limit
 * @param trustedProxies peers whose X-Forwarded-For is believed and extended rather than replaced
 * @param shutdownGraceMillis after a graceful stop begins, requests in flight get this long to finish
 * @param via the pseudonym added to Via headers (RFC 9110 7.6.3); null when none is added
 * @param underscoreHeaders what to do with request header names that have an underscore
 * @param h2MaxConcurrentStreams most HTTP/2 streams one client connection may have open (RFC 9113 6.5.2)
 * @param tunnelIdleMillis an upgraded (WebSocket) connection with no byte either way for this long is closed
 * @param streamIdleMillis a gRPC call with no frame either way for this long is closed
 * @param requestIds a valid {@code X-Request-Id} is kept, any other replaced by a new one, and the id sent upstream
 *     and back on every response; false: the header passes through untouched
 * @param tracing which requests are traced; null when tracing is off ({@code traceparent} and {@code tracestate}
 *     then pass through untouched)
 */
public record ProxySettings(
        OriginTimeouts origin,
        long responseHeaderTimeoutMillis,
        long clientIdleMillis,
        int maxUriLength,
        int maxHeaderSize,
        long clientHeaderTimeoutMillis,
        long clientBodyIdleMillis,
        int maxHeaderCount,
        int maxConnections,
        int maxConnectionsPerIp,
        AddressRanges trustedProxies,
        long shutdownGraceMillis,
        String via,
        UnderscoreHeaders underscoreHeaders,
        int h2MaxConcurrentStreams,
        long tunnelIdleMillis,
        long streamIdleMillis,
        boolean requestIds,
        Sampler tracing) {}
