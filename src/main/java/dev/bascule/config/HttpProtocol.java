package dev.bascule.config;

/**
 * An HTTP version together with the way a connection settles on it, as the config writes it: on a listener's
 * {@code protocols} list and an upstream's {@code protocol}.
 *
 * <p>Immutable.
 */
public enum HttpProtocol {
    /** HTTP/1.1 (and 1.0 from clients); over TLS, the ALPN id {@code http/1.1}. */
    HTTP1("http1"),
    /** HTTP/2 over TLS, chosen by ALPN id {@code h2} (RFC 9113 section 3.2). */
    H2("h2"),
    /** HTTP/2 over cleartext TCP with prior knowledge (RFC 9113 section 3.3): no upgrade, no ALPN. */
    H2C("h2c");

    private final String text;

    HttpProtocol(String text) {
        this.text = text;
    }

    /** How the config writes it. */
    public String text() {
        return text;
    }

    /** The protocol written {@code text}, or null when there is none. */
    static HttpProtocol ofText(String text) {
        for (HttpProtocol p : values()) {
            if (p.text.equals(text)) {
                return p;
            }
        }
        return null;
    }

    /** An upstream's {@code protocol}. */
    static HttpProtocol parse(String text) {
        HttpProtocol p = ofText(text);
        if (p == null) {
            throw new IllegalArgumentException("bad protocol '" + text + "', expected http1, h2 or h2c");
        }
        return p;
    }

    @Override
    public String toString() {
        return text;
    }
}
