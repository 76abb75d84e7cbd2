package dev.bascule.config;

/**
 * A client-facing listener.
 *
 * @param name defaults to the address text
 * @param tls null for plain HTTP
 * @param redirectHttps a plain listener answers every request with 308 to the https URL
 * @param hsts value of Strict-Transport-Security added to responses (for example {@code max-age=31536000}); null
 *     for none
 */
public record ListenerConfig(String name, HostPort address, TlsConfig tls, boolean redirectHttps, String hsts) {

    public ListenerConfig(String name, HostPort address) {
        this(name, address, null, false, null);
    }
}
