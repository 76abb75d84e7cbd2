package dev.bascule.config;

import java.util.List;

/**
 * A client-facing listener.
 *
 * @param name defaults to the address text
 * @param tls null for plain HTTP
 * @param redirectHttps a plain listener answers every request with 308 to the https URL
 * @param hsts value of Strict-Transport-Security added to responses (for example {@code max-age=31536000}); null
 *     for none
 * @param protocols what the listener serves: with TLS, the ALPN offer in order of preference ({@code h2},
 *     {@code http1}); plain, {@code http1} and optionally {@code h2c}, told apart by the HTTP/2 connection
 *     preface (RFC 9113 section 3.4). Never empty, no repeats; {@link #defaultProtocols} when not written.
 */
public record ListenerConfig(String name, HostPort address, TlsConfig tls, boolean redirectHttps, String hsts,
        List<HttpProtocol> protocols) {

    private static final List<HttpProtocol> TLS_DEFAULT = List.of(HttpProtocol.H2, HttpProtocol.HTTP1);
    private static final List<HttpProtocol> PLAIN_DEFAULT = List.of(HttpProtocol.HTTP1);

    public ListenerConfig {
        protocols = List.copyOf(protocols);
    }

    /** A plain listener that serves HTTP/1.1. */
    public ListenerConfig(String name, HostPort address) {
        this(name, address, null, false, null, PLAIN_DEFAULT);
    }

    /** What a listener serves when it does not say: {@code [h2, http1]} with TLS, {@code [http1]} without. */
    public static List<HttpProtocol> defaultProtocols(boolean tls) {
        return tls ? TLS_DEFAULT : PLAIN_DEFAULT;
    }
}
