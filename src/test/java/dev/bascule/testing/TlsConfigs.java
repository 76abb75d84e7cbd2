package dev.bascule.testing;

import dev.bascule.config.BasculeConfig;
import dev.bascule.config.CertificateConfig;
import dev.bascule.config.ListenerConfig;
import dev.bascule.config.TlsConfig;
import dev.bascule.config.UpstreamConfig;
import dev.bascule.config.UpstreamTlsConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Builds configs with TLS parts for tests: parses YAML that loads today, then copies the records with the TLS
 * components set (independent of how the loader spells those keys).
 */
public final class TlsConfigs {
    private TlsConfigs() {}

    /** Without an access log, as {@link ProxyUnderTest#parse}. */
    public static BasculeConfig parse(String yaml) throws Exception {
        return ProxyUnderTest.parse(yaml);
    }

    /** One listener on 127.0.0.1:0 and one upstream {@code web} with the given servers, every path to it. */
    public static BasculeConfig simple(String... servers) throws Exception {
        StringBuilder s = new StringBuilder("""
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                upstreams:
                  web:
                    servers:
                """);
        for (String server : servers) {
            s.append("      - { address: ").append(server).append(" }\n");
        }
        s.append("""
                routes:
                  - match: { path_prefix: / }
                    upstream: web
                """);
        return parse(s.toString());
    }

    public static BasculeConfig withListener(BasculeConfig c, int index, UnaryOperator<ListenerConfig> change) {
        List<ListenerConfig> listeners = new ArrayList<>(c.listeners());
        listeners.set(index, change.apply(listeners.get(index)));
        return new BasculeConfig(c.source(), listeners, c.admin(), c.timeouts(), c.limits(), c.upstreams(),
                c.routes(), c.shutdownGrace(), c.trustedProxies(), c.via(), c.requestId(), c.tracing(), c.accessLog());
    }

    /** The first listener with TLS over {@code certificates} (the first the default) and an HSTS value. */
    public static BasculeConfig tls(BasculeConfig c, String hsts, CertificateConfig... certificates) {
        return withListener(c, 0, l -> new ListenerConfig(l.name(), l.address(), new TlsConfig(List.of(certificates)),
                false, hsts, ListenerConfig.defaultProtocols(true)));
    }

    public static BasculeConfig redirectHttps(BasculeConfig c) {
        return withListener(c, 0, l -> new ListenerConfig(l.name(), l.address(), null, true, null, l.protocols()));
    }

    public static BasculeConfig upstreamTls(BasculeConfig c, String upstream, UpstreamTlsConfig tls) {
        Map<String, UpstreamConfig> ups = new LinkedHashMap<>(c.upstreams());
        UpstreamConfig u = ups.get(upstream);
        ups.put(upstream, new UpstreamConfig(u.name(), u.balancer(), u.hashKey(), u.servers(), u.healthCheck(),
                u.passive(), u.whenAllDown(), u.slowStart(), u.resolveEvery(), tls, u.ewmaDecay(), u.protocol(),
                u.queue()));
        return new BasculeConfig(c.source(), c.listeners(), c.admin(), c.timeouts(), c.limits(), ups, c.routes(),
                c.shutdownGrace(), c.trustedProxies(), c.via(), c.requestId(), c.tracing(), c.accessLog());
    }
}
