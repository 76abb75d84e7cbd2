package dev.bascule.control;

import dev.bascule.config.HttpProtocol;
import java.util.ArrayList;
import java.util.List;

/**
 * An HTTP version and how a connection settles on it, as the data plane reads it from a snapshot: what a
 * listener serves ({@link ListenerSettings#protocols}) and how a pool speaks to its servers ({@link
 * Pool#protocol}).
 *
 * <p>Immutable.
 */
public enum Protocol {
    /** HTTP/1.1; over TLS, ALPN id {@code http/1.1}. */
    HTTP1,
    /** HTTP/2 over TLS, chosen by ALPN id {@code h2} (RFC 9113 section 3.2). */
    H2,
    /** HTTP/2 over cleartext TCP with prior knowledge (RFC 9113 section 3.3), told apart by its preface. */
    H2C;

    static Protocol of(HttpProtocol configured) {
        return switch (configured) {
            case HTTP1 -> HTTP1;
            case H2 -> H2;
            case H2C -> H2C;
        };
    }

    static List<Protocol> of(List<HttpProtocol> configured) {
        List<Protocol> list = new ArrayList<>(configured.size());
        for (HttpProtocol p : configured) {
            list.add(of(p));
        }
        return List.copyOf(list);
    }
}
