package dev.bascule.tls;

import dev.bascule.config.CertificateConfig;
import dev.bascule.config.HttpProtocol;
import dev.bascule.config.UpstreamTlsConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLException;

/**
 * Builds Netty {@link SslContext}s with one policy for both directions: TLS 1.2 and 1.3 only; for 1.2 only
 * ECDHE key exchange with AES-GCM or ChaCha20-Poly1305 (forward secrecy and AEAD, Mozilla's "intermediate"
 * list); ALPN advertising {@code http/1.1}. The engine is OpenSSL (BoringSSL from netty-tcnative) when it loads,
 * else the JDK's; both get the same protocols and suites. System property {@value #PROVIDER_PROPERTY} = {@code
 * jdk} or {@code openssl} forces one (read at every build, so a reload can switch).
 *
 * <p>Threading: stateless; called on the control thread.
 */
public final class TlsContexts {
    public static final String PROVIDER_PROPERTY = "bascule.tls.provider";
    static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** TLS 1.3 suites first (the JDK engine needs them listed), then the 1.2 ones in preference order. */
    static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    private static final ApplicationProtocolConfig ALPN_HTTP11 = new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            // the only behaviours both engines support
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_1_1);

    /** An upstream with {@code protocol: h2} (RFC 9113 3.2; the TLS 1.2 suites above are all allowed by 9.2.2). */
    private static final ApplicationProtocolConfig ALPN_H2 = new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2);

    private TlsContexts() {}

    /** The engine contexts are built with now. */
    public static SslProvider provider() {
        String forced = System.getProperty(PROVIDER_PROPERTY, "").trim().toLowerCase(Locale.ROOT);
        return switch (forced) {
            case "jdk" -> SslProvider.JDK;
            case "openssl" -> {
                if (!OpenSsl.isAvailable()) {
                    throw new IllegalStateException(PROVIDER_PROPERTY + "=openssl but OpenSSL is unavailable: "
                            + OpenSsl.unavailabilityCause());
                }
                yield SslProvider.OPENSSL;
            }
            default -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        };
    }

    /** For the startup log: which engine, and why not OpenSSL when it is the JDK's. */
    public static String describeProvider() {
        SslProvider p = provider();
        if (p == SslProvider.OPENSSL) {
            return "OpenSSL (" + OpenSsl.versionString() + ")";
        }
        return OpenSsl.isAvailable() ? "JDK (forced by -D" + PROVIDER_PROPERTY + ")"
                : "JDK (OpenSSL unavailable: " + OpenSsl.unavailabilityCause() + ")";
    }

    /** A listener certificate: its server context and the host names it serves. */
    public record ServerCertificate(SslContext context, Set<String> names, X509Certificate leaf) {}

    /** Reads a certificate chain and its key and builds the server context for them. */
    /**
     * A listener certificate's server context.
     *
     * @param alpn the ALPN protocol ids to offer, in order of preference ({@code h2}, {@code http/1.1})
     */
    public static ServerCertificate server(CertificateConfig c, List<String> alpn) throws TlsFileException {
        List<X509Certificate> chain = PemFiles.certificates(c.cert());
        PrivateKey key = PemFiles.privateKey(c.key());
        X509Certificate leaf = chain.get(0);
        PemFiles.checkPair(c.key(), key, leaf);
        Set<String> names = names(leaf);
        if (names.isEmpty()) {
            throw new TlsFileException(c.cert(), "the certificate names no host (no DNS subjectAltName, no CN)");
        }
        try {
            SslContext context = SslContextBuilder.forServer(key, chain)
                    .sslProvider(provider())
                    .protocols(PROTOCOLS)
                    .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(alpn.equals(List.of(ApplicationProtocolNames.HTTP_1_1)) ? ALPN_HTTP11
                            : new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn))
                    .clientAuth(ClientAuth.NONE)
                    .build();
            return new ServerCertificate(context, names, leaf);
        } catch (SSLException | IllegalArgumentException e) {
            throw new TlsFileException(c.cert(), "cannot use this certificate and key: " + e.getMessage(), e);
        }
    }

    /**
     * The client context for an upstream: trusts {@code ca} (or the JDK's default store), checks the server's
     * name when {@code verify} (endpoint identification "HTTPS", RFC 2818 3.1), presents {@code cert} when set.
     */
    public static SslContext client(UpstreamTlsConfig tls) throws TlsFileException {
        return client(tls, HttpProtocol.HTTP1);
    }

    /**
     * The client context for an upstream speaking {@code protocol}: as {@link #client(UpstreamTlsConfig)}, and for
     * {@link HttpProtocol#H2} offering ALPN {@code h2} alone (RFC 9113 3.2), so an origin that cannot speak HTTP/2
     * says so in the handshake; the origin pool fails the connect when {@code h2} was not selected.
     */
    public static SslContext client(UpstreamTlsConfig tls, HttpProtocol protocol) throws TlsFileException {
        SslContextBuilder b = SslContextBuilder.forClient()
                .sslProvider(provider())
                .protocols(PROTOCOLS)
                .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE);
        if (protocol == HttpProtocol.H2) {
            b.applicationProtocolConfig(ALPN_H2);
        }
        if (!tls.verify()) {
            b.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
        } else {
            if (tls.ca() != null) {
                b.trustManager(PemFiles.certificates(tls.ca()));
            }
            b.endpointIdentificationAlgorithm("HTTPS");
        }
        if (tls.cert() != null) {
            if (tls.key() == null) {
                throw new TlsFileException(tls.cert(), "a client certificate needs its key");
            }
            List<X509Certificate> chain = PemFiles.certificates(tls.cert());
            PrivateKey key = PemFiles.privateKey(tls.key());
            PemFiles.checkPair(tls.key(), key, chain.get(0));
            b.keyManager(key, chain);
        }
        try {
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            java.nio.file.Path blame = tls.ca() != null ? tls.ca() : tls.cert();
            throw new TlsFileException(blame == null ? java.nio.file.Path.of("<upstream tls>") : blame,
                    "cannot build the TLS client: " + e.getMessage(), e);
        }
    }

    /**
     * The host names a certificate serves: its DNS subjectAltNames, or its CN when it has none (RFC 6125 6.4.4),
     * lower case; {@code *.example.com} wildcards kept as written.
     */
    static Set<String> names(X509Certificate cert) throws TlsFileException {
        Set<String> names = new LinkedHashSet<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && Integer.valueOf(2).equals(san.get(0)) && san.get(1) instanceof String s) {
                        names.add(s.toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // fall back to the CN
        }
        if (names.isEmpty()) {
            try {
                List<Rdn> rdns = new ArrayList<>(new LdapName(cert.getSubjectX500Principal().getName()).getRdns());
                for (Rdn rdn : rdns) {
                    if (rdn.getType().equalsIgnoreCase("CN")) {
                        names.add(String.valueOf(rdn.getValue()).toLowerCase(Locale.ROOT));
                    }
                }
            } catch (InvalidNameException e) {
                // no usable CN
            }
        }
        return names;
    }
}
