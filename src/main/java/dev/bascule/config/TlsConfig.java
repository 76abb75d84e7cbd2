package dev.bascule.config;

import java.util.List;

/**
 * TLS termination on a listener: one or more certificates, chosen by SNI; the first is the default for
 * clients that send no SNI or an unknown name. Written {@code tls: { cert: .., key: .. }} for one, or {@code tls:
 * { certificates: [ {cert: .., key: ..}, ... ] }}.
 */
public record TlsConfig(List<CertificateConfig> certificates) {
    public TlsConfig {
        certificates = List.copyOf(certificates);
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("tls needs at least one certificate");
        }
    }
}
