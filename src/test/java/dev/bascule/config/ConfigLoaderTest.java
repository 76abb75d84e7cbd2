package dev.bascule.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    static final Set<String> BALANCERS = Set.of("round_robin", "least_request", "hash");
    static final ConfigLoader LOADER = new ConfigLoader(BALANCERS);

    /** The format's reference example, as documented. */
    static final String EXAMPLE = """
            listeners:
              - name: public                   # optional, defaults to the address text
                address: 127.0.0.1:8080        # host:port; several listeners allowed; at least one required
            admin:
              address: 127.0.0.1:9901          # optional
            timeouts: { connect: 2s, response_header: 30s, client_idle: 60s, upstream_idle: 60s }
            limits: { max_uri_length: 8192, max_header_size: 32768 }
            upstreams:
              web-blue:
                balancer: round_robin          # default round_robin
                servers:                       # at least one
                  - address: 127.0.0.1:9001    # host:port (HostPort.parse); a hostname is allowed
                    weight: 2                  # integer 1..1000, default 1
                  - address: 127.0.0.1:9002
                health_check: { path: /health, interval: 2s, timeout: 1s }
              web-green: { servers: [ { address: 127.0.0.1:9003, weight: 2 }, { address: 127.0.0.1:9004 } ] }
            routes:                            # first match wins; at least one route
              - match: { host: blue.labs.test }          # exact host or leading wildcard *.labs.test ; optional
                upstream: web-blue
              - match: { path_prefix: /green }           # must start with '/'; optional
                strip_prefix: true                       # default false
                upstream: web-green
            """;

    // Written out rather than HealthCheckConfig.DEFAULTS, so a changed default fails here.
    static final HealthCheckConfig HEALTH = new HealthCheckConfig("/health", Duration.ofSeconds(2), Duration.ofSeconds(1));

    static HostPort hp(String text) {
        return HostPort.parse(text);
    }

    @Test
    void theDocumentedExampleLoadsToTheExpectedRecords() throws Exception {
        BasculeConfig config = LOADER.parse(EXAMPLE, "example.yaml");

        assertThat(config.source()).isEqualTo("example.yaml");
        assertThat(config.listeners()).containsExactly(new ListenerConfig("public", hp("127.0.0.1:8080")));
        assertThat(config.admin()).isEqualTo(new AdminConfig(hp("127.0.0.1:9901")));
        assertThat(config.timeouts()).isEqualTo(TimeoutsConfig.DEFAULTS);
        assertThat(config.limits()).isEqualTo(LimitsConfig.DEFAULTS);
        assertThat(config.upstreams()).containsOnlyKeys("web-blue", "web-green");
        assertThat(config.upstreams().keySet()).containsExactly("web-blue", "web-green");
        assertThat(config.upstreams().get("web-blue")).isEqualTo(new UpstreamConfig("web-blue", "round_robin", null,
                List.of(new ServerConfig(hp("127.0.0.1:9001"), 2), new ServerConfig(hp("127.0.0.1:9002"), 1)), HEALTH));
        assertThat(config.upstreams().get("web-green")).isEqualTo(new UpstreamConfig("web-green", "round_robin", null,
                List.of(new ServerConfig(hp("127.0.0.1:9003"), 2), new ServerConfig(hp("127.0.0.1:9004"), 1)), null));
        assertThat(config.routes()).containsExactly(
                new RouteConfig("blue.labs.test", null, false, "web-blue"),
                new RouteConfig(null, "/green", true, "web-green"));
    }

    @Test
    void theShippedLabsExampleLoads() throws Exception {
        BasculeConfig config = LOADER.load(Path.of("examples/labs.yaml"));

        assertThat(config.source()).isEqualTo(Path.of("examples/labs.yaml").toString());
        assertThat(config.listeners()).containsExactly(new ListenerConfig("public", hp("127.0.0.1:8080"), null, false,
                null, List.of(HttpProtocol.HTTP1, HttpProtocol.H2C)));
        assertThat(config.admin()).isEqualTo(new AdminConfig(hp("127.0.0.1:9901")));
        assertThat(config.upstreams().get("web-blue").servers()).containsExactly(
                new ServerConfig(hp("127.0.0.1:9001"), 2), new ServerConfig(hp("127.0.0.1:9002"), 1));
        assertThat(config.upstreams().get("web-green").servers()).containsExactly(
                new ServerConfig(hp("127.0.0.1:9003"), 2), new ServerConfig(hp("127.0.0.1:9004"), 1));
        assertThat(config.upstreams().values()).allSatisfy(u -> assertThat(u.healthCheck()).isEqualTo(HEALTH));
        List<RouteConfig> routes = config.routes();
        assertThat(routes).hasSize(7);
        // The seed's nginx setup: by host, by path with the prefix stripped, everything else to blue.
        assertThat(List.of(routes.get(0), routes.get(1), routes.get(2), routes.get(3), routes.get(6))).containsExactly(
                new RouteConfig("blue.labs.test", null, false, "web-blue"),
                new RouteConfig("green.labs.test", null, false, "web-green"),
                new RouteConfig(null, "/blue", true, "web-blue"),
                new RouteConfig(null, "/green", true, "web-green"),
                new RouteConfig(null, "/", false, "web-blue"));
        // The releases, on a host of their own: a request pinned to green by a header, the others split 90/10.
        RouteConfig pinned = routes.get(4);
        assertThat(pinned.host()).isEqualTo("app.labs.test");
        assertThat(pinned.conditions().headers()).containsExactly(Map.entry("x-release", "green"));
        assertThat(pinned.upstream()).isEqualTo("web-green");
        RouteConfig app = routes.get(5);
        assertThat(app.name()).isEqualTo("app");
        assertThat(app.host()).isEqualTo("app.labs.test");
        assertThat(app.pathPrefix()).isNull();
        assertThat(app.split()).isEqualTo(new SplitConfig(List.of(new SplitConfig.Side("web-blue", 90),
                new SplitConfig.Side("web-green", 10)), new HashKeyConfig(HashKeyConfig.Source.COOKIE,
                "bascule_release")));
        assertThat(config.stateFile()).isEqualTo(Path.of("examples/labs.state.json").toAbsolutePath());
    }

    @Test
    void defaultsApplyWhenOptionalKeysAreAbsent() throws Exception {
        BasculeConfig config = LOADER.parse("""
                listeners:
                  - address: 0.0.0.0:8080
                upstreams:
                  web:
                    servers:
                      - address: origin.internal:80
                    health_check: {}
                  sticky:
                    balancer: hash
                    servers: [ { address: 10.0.0.1:80 } ]
                routes:
                  - upstream: web
                """, "min.yaml");

        assertThat(config.listeners()).containsExactly(new ListenerConfig("0.0.0.0:8080", hp("0.0.0.0:8080")));
        assertThat(config.admin()).isNull();
        assertThat(config.timeouts()).isEqualTo(TimeoutsConfig.DEFAULTS);
        assertThat(config.limits()).isEqualTo(LimitsConfig.DEFAULTS);
        UpstreamConfig web = config.upstreams().get("web");
        assertThat(web.balancer()).isEqualTo("round_robin");
        assertThat(web.hashKey()).isNull();
        assertThat(web.servers()).containsExactly(new ServerConfig(new HostPort("origin.internal", 80), 1));
        assertThat(web.healthCheck()).isEqualTo(HEALTH);
        assertThat(config.upstreams().get("sticky").hashKey()).isEqualTo(HashKeyConfig.CLIENT_IP);
        assertThat(config.routes()).containsExactly(new RouteConfig(null, null, false, "web"));
    }

    @Test
    void partialSectionsKeepTheOtherDefaults() throws Exception {
        BasculeConfig config = LOADER.parse("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                timeouts: { connect: 500ms, client_idle: 1m30s }
                limits: { max_header_size: 64k }
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { upstream: web } ]
                """, "t.yaml");

        assertThat(config.timeouts()).isEqualTo(new TimeoutsConfig(Duration.ofMillis(500),
                TimeoutsConfig.DEFAULTS.responseHeader(), Duration.ofSeconds(90), TimeoutsConfig.DEFAULTS.upstreamIdle()));
        assertThat(config.limits()).isEqualTo(new LimitsConfig(8192, 65536));
    }

    @Test
    void hashKeysRouteMatchesAndSeveralListeners() throws Exception {
        BasculeConfig config = LOADER.parse("""
                listeners:
                  - { name: a, address: 127.0.0.1:8080 }
                  - { address: "[::1]:8080" }
                upstreams:
                  h1: { balancer: hash, hash_key: header:X-User, servers: [ { address: a.internal:80, weight: 1000 } ] }
                  h2: { balancer: hash, hash_key: cookie:session, servers: [ { address: b.internal:80 } ] }
                routes:
                  - match: { host: "*.Labs.TEST", path_prefix: /api/ }
                    upstream: h1
                  - match: { path_prefix: /// }
                    upstream: h2
                  - match: {}
                    upstream: h2
                  - match:
                    upstream: h2
                """, "t.yaml");

        assertThat(config.listeners()).containsExactly(
                new ListenerConfig("a", hp("127.0.0.1:8080")), new ListenerConfig("[::1]:8080", hp("[::1]:8080")));
        assertThat(config.upstreams().get("h1").hashKey()).isEqualTo(new HashKeyConfig(HashKeyConfig.Source.HEADER, "X-User"));
        assertThat(config.upstreams().get("h1").servers().get(0).weight()).isEqualTo(1000);
        assertThat(config.upstreams().get("h2").hashKey()).isEqualTo(new HashKeyConfig(HashKeyConfig.Source.COOKIE, "session"));
        assertThat(config.routes()).containsExactly(
                new RouteConfig("*.labs.test", "/api", false, "h1"),
                new RouteConfig(null, "/", false, "h2"),
                new RouteConfig(null, null, false, "h2"),
                new RouteConfig(null, null, false, "h2"));
    }

    @Test
    void aByteOrderMarkIsIgnored() throws Exception {
        assertThat(LOADER.parse("\uFEFF" + EXAMPLE, "bom.yaml").listeners()).hasSize(1);
    }

    @Test
    void anUnreadableFileIsAConfigError() {
        Path missing = Path.of("target/no-such-dir/missing.yaml");
        assertThatThrownBy(() -> LOADER.load(missing))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).containsExactly(
                        new ConfigError(missing.toString(), 1, 1, "cannot read config: no such file")));
    }
}
