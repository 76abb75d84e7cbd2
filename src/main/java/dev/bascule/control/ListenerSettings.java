package dev.bascule.control;

import dev.bascule.stats.ListenerStats;
import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;
import java.util.List;

/**
 * What one listener does with the connections it accepts: TLS or not (fixed for its socket's life), the
 * certificates, the HTTPS redirect and the HSTS header. Part of a snapshot: each new connection reads it once
 * from the live snapshot, so a reload's new certificates serve new handshakes and open connections keep what they
 * started with.
 *
 * <p>Immutable.
 *
 * @param name the listener's name, for logs
 * @param certificates SNI host name to server context, with the default certificate for no or an unknown name;
 *     null on a plain listener
 * @param redirectHttps plain listener only: answer every request with 308 to the https URL
 * @param hsts TLS listener only: the Strict-Transport-Security value added to every response; null for none
 * @param protocols never empty: on a TLS listener the ALPN offer in order of preference ({@link Protocol#H2},
 *     {@link Protocol#HTTP1}); on a plain one {@link Protocol#HTTP1} and, when listed, {@link Protocol#H2C}
 * @param stats the listener's counts; the same instance for as long as a listener of that name is configured
 */
public record ListenerSettings(String name, Mapping<String, SslContext> certificates, boolean redirectHttps,
        String hsts, List<Protocol> protocols, ListenerStats stats) {

    public ListenerSettings {
        protocols = List.copyOf(protocols);
    }

    /** A plain listener that proxies every request over HTTP/1.1. */
    public static ListenerSettings plain(String name) {
        return new ListenerSettings(name, null, false, null, List.of(Protocol.HTTP1), ListenerStats.detached(name));
    }

    public boolean tls() {
        return certificates != null;
    }
}
