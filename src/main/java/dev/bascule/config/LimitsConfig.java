package dev.bascule.config;

/**
 * Request and connection limits.
 *
 * @param maxUriLength longest request target in bytes (414 above it)
 * @param maxHeaderSize largest request header block in bytes (431 above it)
 * @param maxHeaderCount most header fields in a request (431 above it)
 * @param maxConnections concurrent client connections per listener; more are closed at accept
 * @param maxConnectionsPerIp concurrent client connections from one address; 0 means no limit
 */
public record LimitsConfig(int maxUriLength, int maxHeaderSize, int maxHeaderCount, int maxConnections,
        int maxConnectionsPerIp) {

    public static final LimitsConfig DEFAULTS = new LimitsConfig(8192, 32768, 100, 10000, 0);

    public LimitsConfig(int maxUriLength, int maxHeaderSize) {
        this(maxUriLength, maxHeaderSize, DEFAULTS.maxHeaderCount(), DEFAULTS.maxConnections(),
                DEFAULTS.maxConnectionsPerIp());
    }
}
