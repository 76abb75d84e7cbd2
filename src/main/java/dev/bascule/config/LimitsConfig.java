package dev.bascule.config;

/**
 * Request and connection limits.
 *
 * @param maxUriLength longest request target in bytes (414 above it)
 * @param maxHeaderSize largest request header block in bytes (431 above it)
 * @param maxHeaderCount most header fields in a request (431 above it)
 * @param maxConnections concurrent client connections per listener; more are closed at accept
 * @param maxConnectionsPerIp concurrent client connections from one address; 0 means no limit
 * @param headersWithUnderscores what happens to request header names with an underscore
 *     ({@code headers_with_underscores}, default allow)
 * @param h2MaxConcurrentStreams most HTTP/2 streams a client connection may have open at once, announced in
 *     SETTINGS_MAX_CONCURRENT_STREAMS (RFC 9113 section 6.5.2); 1 to {@link #MAX_H2_CONCURRENT_STREAMS}
 */
public record LimitsConfig(int maxUriLength, int maxHeaderSize, int maxHeaderCount, int maxConnections,
        int maxConnectionsPerIp, HeadersWithUnderscores headersWithUnderscores, int h2MaxConcurrentStreams) {

    /**
     * Upper bound of {@code h2_max_concurrent_streams}: each open stream holds an exchange and buffers, so this
     * bounds what one connection can make the proxy hold.
     */
    public static final int MAX_H2_CONCURRENT_STREAMS = 10_000;

    public static final LimitsConfig DEFAULTS = new LimitsConfig(8192, 32768, 100, 10000, 0,
            HeadersWithUnderscores.ALLOW, 100);

    /**
     * Request header names with an underscore, which CGI-style origins cannot tell from the same name with a
     * hyphen (as Envoy's {@code headers_with_underscores_action}): forwarded as they are, dropped, or refused
     * with 400. Names that would then read as a framing, hop-by-hop or forwarding header are always dropped.
     */
    public enum HeadersWithUnderscores { ALLOW, DROP, REJECT }

    public LimitsConfig(int maxUriLength, int maxHeaderSize, int maxHeaderCount, int maxConnections,
            int maxConnectionsPerIp) {
        this(maxUriLength, maxHeaderSize, maxHeaderCount, maxConnections, maxConnectionsPerIp,
                DEFAULTS.headersWithUnderscores(), DEFAULTS.h2MaxConcurrentStreams());
    }

    public LimitsConfig(int maxUriLength, int maxHeaderSize) {
        this(maxUriLength, maxHeaderSize, DEFAULTS.maxHeaderCount(), DEFAULTS.maxConnections(),
                DEFAULTS.maxConnectionsPerIp());
    }
}
