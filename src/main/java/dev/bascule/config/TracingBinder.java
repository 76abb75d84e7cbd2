package dev.bascule.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/** Binds {@code tracing}: where spans go and how many requests are sampled. One instance binds one tree. */
final class TracingBinder {
    static final List<String> TRACING_KEYS = List.of("otlp_endpoint", "sample");
    static final String ENDPOINT_FORM = "an http or https URL with a path, such as http://127.0.0.1:4318/v1/traces"
            + " (an OpenTelemetry Collector takes OTLP/HTTP traces at /v1/traces)";

    private final Problems problems;

    TracingBinder(Problems problems) {
        this.problems = problems;
    }

    /** @return null when tracing is off (absent or empty), or after reporting a {@code tracing} that is no mapping */
    TracingConfig bind(YamlNode node) {
        if (node == null) {
            return null;
        }
        Fields f = Fields.open(node, "'tracing'", problems, TRACING_KEYS);
        if (f == null) {
            return null;
        }
        return new TracingConfig(
                f.parsed("otlp_endpoint", TracingBinder::parseEndpoint, TracingConfig.DEFAULT_ENDPOINT),
                f.parsed("sample", TracingBinder::parseSample, TracingConfig.DEFAULT_SAMPLE));
    }

    /**
     * An http(s) URL with a host and a path, as the exporter posts to it unchanged. User info is refused: the
     * exporter would not send it as credentials, and the URL is logged.
     */
    static URI parseEndpoint(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw bad(text);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean ok = (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null
                && uri.getRawUserInfo() == null && uri.getRawFragment() == null
                && uri.getRawPath() != null && !uri.getRawPath().isEmpty();
        if (!ok) {
            throw bad(text);
        }
        return uri;
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("bad otlp_endpoint '" + text + "', expected " + ENDPOINT_FORM);
    }

    /** A fraction from 0 to 1 in plain decimal ({@code 0}, {@code 0.01}, {@code 1}); not 1%, 1e-3 or NaN. */
    static double parseSample(String text) {
        int dot = text.indexOf('.');
        boolean plain = text.length() <= 20 && !text.isEmpty()
                && text.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.')
                && dot != 0 && dot != text.length() - 1 && dot == text.lastIndexOf('.');
        double sample = plain ? Double.parseDouble(text) : -1;
        if (sample < 0 || sample > 1) {
            throw new IllegalArgumentException("sample must be a fraction from 0 to 1, such as 0.01 (one request in"
                    + " a hundred) or 1 (all), found '" + text + "'");
        }
        return sample;
    }
}
