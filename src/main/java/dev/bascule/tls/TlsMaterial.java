package dev.bascule.tls;

import dev.bascule.config.BasculeConfig;
import dev.bascule.config.CertificateConfig;
import dev.bascule.config.ConfigError;
import dev.bascule.config.ConfigException;
import dev.bascule.config.HttpProtocol;
import dev.bascule.config.ListenerConfig;
import dev.bascule.config.UpstreamConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every TLS context one config needs, built from its files in one go: per TLS listener, the SNI mapping from
 * host name to server context (the first certificate is the default for no or an unknown name); per upstream
 * with TLS, its client context; the admin API's server context when it speaks HTTPS. Built again on every reload,
 * so renewed certificate files are picked up.
 *
 * <p>Immutable once built; built on the control thread.
 */
public final class TlsMaterial {
    private static final Logger log = LoggerFactory.getLogger(TlsMaterial.class);
    /** The admin API speaks HTTP/1.1 only. */
    private static final List<String> ADMIN_ALPN = List.of(ApplicationProtocolNames.HTTP_1_1);
    public static final TlsMaterial NONE = new TlsMaterial(Map.of(), Map.of(), null);

    private final Map<ListenerConfig, Mapping<String, SslContext>> listeners;
    private final Map<String, SslContext> upstreams;
    /** Null when the admin API speaks plain HTTP, or there is none. */
    private final SslContext admin;

    private TlsMaterial(Map<ListenerConfig, Mapping<String, SslContext>> listeners,
            Map<String, SslContext> upstreams, SslContext admin) {
        this.listeners = listeners;
        this.upstreams = upstreams;
        this.admin = admin;
    }

    /**
     * Reads every certificate, key and CA file of {@code config}.
     *
     * @throws ConfigException listing every file that could not be used, each named in its message
     */
    public static TlsMaterial build(BasculeConfig config) throws ConfigException {
        List<ConfigError> errors = new ArrayList<>();
        Map<ListenerConfig, Mapping<String, SslContext>> listeners = new HashMap<>();
        Map<String, SslContext> upstreams = new HashMap<>();
        for (ListenerConfig l : config.listeners()) {
            if (l.tls() == null) {
                continue;
            }
            List<TlsContexts.ServerCertificate> certs = new ArrayList<>();
            for (CertificateConfig c : l.tls().certificates()) {
                try {
                    certs.add(TlsContexts.server(c, alpn(l.protocols())));
                } catch (TlsFileException e) {
                    errors.add(error(config, "listener '" + l.name() + "': " + e.getMessage()));
                }
            }
            if (certs.size() == l.tls().certificates().size()) {
                listeners.put(l, sniMapping(l.name(), certs));
            }
        }
        for (UpstreamConfig u : config.upstreams().values()) {
            if (u.tls() == null) {
                continue;
            }
            try {
                upstreams.put(u.name(), TlsContexts.client(u.tls(), u.protocol()));
            } catch (TlsFileException e) {
                errors.add(error(config, "upstream '" + u.name() + "' tls: " + e.getMessage()));
            }
        }
        SslContext admin = null;
        CertificateConfig adminCertificate = config.admin() == null ? null : config.admin().tls();
        if (adminCertificate != null) {
            try {
                TlsContexts.ServerCertificate c = TlsContexts.server(adminCertificate, ADMIN_ALPN);
                admin = c.context();
                warnIfExpired("admin", c);
            } catch (TlsFileException e) {
                errors.add(error(config, "admin tls: " + e.getMessage()));
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        if (listeners.isEmpty() && upstreams.isEmpty() && admin == null) {
            return NONE;
        }
        return new TlsMaterial(Map.copyOf(listeners), Map.copyOf(upstreams), admin);
    }

    /**
     * Host name to server context; the first certificate also answers names no certificate lists. A name two
     * certificates share goes to the first listed, as the default does.
     */
    private static Mapping<String, SslContext> sniMapping(String listener, List<TlsContexts.ServerCertificate> certs) {
        DomainWildcardMappingBuilder<SslContext> b = new DomainWildcardMappingBuilder<>(certs.get(0).context());
        for (int i = certs.size() - 1; i >= 0; i--) { // later adds win: add the first certificate last
            TlsContexts.ServerCertificate c = certs.get(i);
            for (String name : c.names()) {
                try {
                    b.add(name, c.context());
                } catch (IllegalArgumentException e) { // a wildcard not in the leftmost label, say
                    log.warn("listener {}: certificate name '{}' cannot be matched by SNI, ignored", listener, name);
                }
            }
            warnIfExpired("listener " + listener, c);
        }
        return b.build();
    }

    private static void warnIfExpired(String user, TlsContexts.ServerCertificate c) {
        if (c.leaf().getNotAfter().toInstant().isBefore(Instant.now())) {
            log.warn("{}: certificate for {} expired on {}", user, c.names(), c.leaf().getNotAfter());
        }
    }

    /** The ALPN ids a listener offers, in its order; a client that offers none of them gets HTTP/1.1. */
    static List<String> alpn(List<HttpProtocol> protocols) {
        List<String> ids = new ArrayList<>();
        for (HttpProtocol p : protocols) {
            switch (p) {
                case H2 -> ids.add(ApplicationProtocolNames.HTTP_2);
                case HTTP1 -> ids.add(ApplicationProtocolNames.HTTP_1_1);
                case H2C -> { } // cleartext only; the config refuses it with TLS
            }
        }
        return ids.isEmpty() ? List.of(ApplicationProtocolNames.HTTP_1_1) : List.copyOf(ids);
    }

    private static ConfigError error(BasculeConfig config, String message) {
        return new ConfigError(config.source(), 1, 1, message);
    }

    /** The SNI mapping of a TLS listener of the config this was built from; null for a plain one. */
    public Mapping<String, SslContext> listener(ListenerConfig listener) {
        return listeners.get(listener);
    }

    /** The client context of an upstream with TLS; null for a plain one. */
    public SslContext upstream(String name) {
        return upstreams.get(name);
    }

    /** The admin API's server context; null when it speaks plain HTTP. */
    public SslContext admin() {
        return admin;
    }

    /** Whether anything in the config uses TLS. */
    public boolean isEmpty() {
        return listeners.isEmpty() && upstreams.isEmpty() && admin == null;
    }
}
