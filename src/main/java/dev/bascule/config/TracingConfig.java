package dev.bascule.config;

import java.net.URI;

/**
 * The {@code tracing} section: Bascule takes part in W3C traces and exports a span for each sampled request.
 * Absent means off (trace headers still pass through untouched).
 *
 * @param otlpEndpoint where spans are sent, OTLP/HTTP with protobuf bodies ({@code otlp_endpoint}, default {@link
 *     #DEFAULT_ENDPOINT}); an http or https URL with a path
 * @param sample the fraction of requests that start a sampled trace, 0 to 1 ({@code sample}, default 0.01); a
 *     request whose {@code traceparent} says sampled is always sampled
 */
public record TracingConfig(URI otlpEndpoint, double sample) {
    public static final URI DEFAULT_ENDPOINT = URI.create("http://127.0.0.1:4318/v1/traces");
    public static final double DEFAULT_SAMPLE = 0.01;
}
