package dev.bascule.metrics;

/**
 * One scrape's answer, formatted.
 *
 * <p>Immutable (the array is never written once returned).
 *
 * @param contentType the exposition format's media type, for the {@code Content-Type} header
 * @param body the formatted metrics
 */
public record Exposition(String contentType, byte[] body) {}
