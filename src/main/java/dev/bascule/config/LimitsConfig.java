package dev.bascule.config;

/**
 * Request size limits enforced while parsing.
 *
 * @param maxUriLength longest request target in bytes (414 above it)
 * @param maxHeaderSize largest request header block in bytes (431 above it)
 */
public record LimitsConfig(int maxUriLength, int maxHeaderSize) {
    public static final LimitsConfig DEFAULTS = new LimitsConfig(8192, 32768);
}
