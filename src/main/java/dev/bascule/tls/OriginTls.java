package dev.bascule.tls;

import io.netty.handler.ssl.SslContext;
import java.util.Objects;

/**
 * How to speak TLS to one origin server: the client context (trust, client certificate, protocols) and the
 * host name to send as SNI and to verify the certificate against. Pooled connections are keyed by it with the
 * server, so connections with another context or name, or plain ones, are never handed out for it.
 *
 * <p>Immutable. Equal when the context is the same instance and the names are equal, so snapshots rebuilt
 * from the same loaded config keep reusing the same pooled connections.
 *
 * @param peerHost the SNI name and the name verified; an IP literal sends no SNI and is checked against the
 *     certificate's IP addresses
 */
public record OriginTls(SslContext context, String peerHost) {
    public OriginTls {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(peerHost, "peerHost");
    }
}
