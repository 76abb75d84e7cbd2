package dev.bascule.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every key of the format, each set away from its default, and the defaults of the keys added after the first. */
class EveryKeyTest {
    /** Includes {@code ewma}, which the standard registry may not have, so that {@code ewma_decay} can be written. */
    static final ConfigLoader EWMA_LOADER = new ConfigLoader(Set.of("round_robin", "least_request", "hash", "ewma"));

    /** Every key, none at its default. Loaded with {@link #EWMA_LOADER}. */
    static final String EVERY_KEY = """
            shutdown_grace: 45s
            trusted_proxies: [ 10.0.0.0/8, 127.0.0.1, "::1" ]
            via: edge-7.example
            access_log: { to: logs/access.log, format: combined }
            listeners:
              - name: public
                address: 127.0.0.1:8080
                redirect_https: true
              - name: secure
                address: 127.0.0.1:8443
                tls: { cert: certs/site.pem, key: certs/site.key }
                hsts: "max-age=31536000; includeSubDomains"
                protocols: [ http1, h2 ]
              - name: multi
                address: 127.0.0.1:8444
                tls:
                  certificates:
                    - { cert: a.pem, key: a.key }
                    - { cert: /etc/bascule/b.pem, key: ../keys/b.key }
                protocols: [ h2 ]
              - { name: mixed, address: 127.0.0.1:8081, protocols: [ h2c, http1 ] }
            admin:
              address: 127.0.0.1:9901
              token_file: secrets/admin.token
              tls: { cert: admin.pem, key: /etc/bascule/admin.key }
              allowed_hosts: [ Ops.Example.com, 10.0.0.5, "[FD00::5]" ]
            timeouts: { connect: 1s, response_header: 20s, client_idle: 30s, upstream_idle: 40s, client_header: 5s,
                        client_body_idle: 15s, tunnel_idle: 2h, stream_idle: 90s }
            limits: { max_uri_length: 4k, max_header_size: 16k, max_header_count: 50, max_connections: 2000,
                      max_connections_per_ip: 20, headers_with_underscores: reject, h2_max_concurrent_streams: 250 }
            upstreams:
              web:
                balancer: ewma
                ewma_decay: 5s
                servers: [ { address: 127.0.0.1:9001, max_connections: 100 }, { address: 127.0.0.1:9002, weight: 3 } ]
                queue: { size: 1000, timeout: 2s }
                health_check:
                  path: /ready
                  interval: 5s
                  timeout: 500ms
                  expect_status: 200-299
                  healthy_threshold: 3
                  unhealthy_threshold: 2
                  host: web.internal
                passive: { consecutive_failures: 3, base_ejection: 30s, max_ejected_percent: 34 }
                when_all_down: reject
                slow_start: 20s
                resolve_every: 1m
              api:
                servers: [ { address: api.internal:443 } ]
                health_check: { expect_status: 204, type: http }
                tls: { verify: true, ca: ca.pem, sni: api.internal, cert: client.pem, key: client.key }
                protocol: h2
              legacy:
                servers: [ { address: 10.0.0.9:8443 } ]
                tls: { verify: false }
                health_check: { type: tcp }
              grpc:
                protocol: h2c
                servers: [ { address: 127.0.0.1:50051 } ]
                health_check: { type: grpc, service: chat.v1.Chat, host: grpc.internal }
            routes:
              - match: { path_prefix: /api }
                upstream: api
                retry: { attempts: 3, on: [ connect_failure, reset, 502, "503", 504 ], per_try_timeout: 2s }
                allow: [ 10.0.0.0/8, "fd00::/8" ]
                deny: [ 10.1.0.0/16 ]
                rate_limit: { requests_per_second: 2.5, burst: 10, key: "header:X-Api-Key" }
                max_body_size: 10m
              - match: { path_prefix: / }
                upstream: web
                retry: { attempts: 1, on: [] }
                rate_limit: { requests_per_second: 2.5 }
                websocket: false
              - match:
                  host: labs.test
                  header: { X-Release: green, x-empty: "" }
                  cookie: { release: green }
                  query: { v: 2, q: "a b" }
                  method: [ GET, HEAD ]
                upstream: web
                request_headers: { set: { x-env: prod, Host: web.internal }, add: { x-tag: a }, remove: [ x-debug ] }
                response_headers: { set: { x-served-by: bascule }, add: { set-cookie: "a=1" }, remove: [ server ] }
                mirror: { upstream: api, percent: 12.5, max_in_flight: 7 }
              - match: { path_prefix: /old }
                name: old
                redirect: { to: "https://labs.test/new", status: 308, keep_path: true }
                allow: [ 10.0.0.0/8 ]
                rate_limit: { requests_per_second: 10, scope: global }
                response_headers: { remove: [ x-debug ] }
              - match: { path_prefix: /gone }
                redirect: { to: /new }
              - name: canary
                match: { host: canary.labs.test }
                split: [ { upstream: web, weight: 75 }, { upstream: api, weight: 25 } ]
                sticky: { key: "header:X-User" }
            state_file: run/state.json
            request_id: false
            tracing: { otlp_endpoint: "https://collector.internal:4318/v1/traces", sample: 0.25 }
            redis: { address: redis.internal:6380, username: bascule, password: "s3cret", database: 2, timeout: 20ms,
                     key_prefix: "edge:" }
            """;

    static HostPort hp(String text) {
        return HostPort.parse(text);
    }

    static Cidr cidr(String text) {
        return Cidr.parse(text);
    }

    @Test
    void everyKeyReachesItsRecord() throws Exception {
        BasculeConfig config = EWMA_LOADER.parse(EVERY_KEY, "conf/every.yaml");
        Path dir = Path.of("conf").toAbsolutePath();

        assertThat(config.shutdownGrace()).isEqualTo(Duration.ofSeconds(45));
        assertThat(config.trustedProxies()).containsExactly(cidr("10.0.0.0/8"), cidr("127.0.0.1/32"), cidr("::1/128"));
        assertThat(config.listeners()).containsExactly(
                new ListenerConfig("public", hp("127.0.0.1:8080"), null, true, null, List.of(HttpProtocol.HTTP1)),
                new ListenerConfig("secure", hp("127.0.0.1:8443"),
                        new TlsConfig(List.of(new CertificateConfig(dir.resolve("certs/site.pem"), dir.resolve("certs/site.key")))),
                        false, "max-age=31536000; includeSubDomains", List.of(HttpProtocol.HTTP1, HttpProtocol.H2)),
                new ListenerConfig("multi", hp("127.0.0.1:8444"), new TlsConfig(List.of(
                        new CertificateConfig(dir.resolve("a.pem"), dir.resolve("a.key")),
                        new CertificateConfig(Path.of("/etc/bascule/b.pem"), dir.resolve("../keys/b.key")))),
                        false, null, List.of(HttpProtocol.H2)),
                new ListenerConfig("mixed", hp("127.0.0.1:8081"), null, false, null,
                        List.of(HttpProtocol.H2C, HttpProtocol.HTTP1)));
        assertThat(config.admin()).isEqualTo(new AdminConfig(hp("127.0.0.1:9901"),
                new TokenFile(dir.resolve("secrets/admin.token"), 24, 3),
                new CertificateConfig(dir.resolve("admin.pem"), Path.of("/etc/bascule/admin.key")),
                List.of("ops.example.com", "10.0.0.5", "[fd00::5]")));
        assertThat(config.timeouts()).isEqualTo(new TimeoutsConfig(Duration.ofSeconds(1), Duration.ofSeconds(20),
                Duration.ofSeconds(30), Duration.ofSeconds(40), Duration.ofSeconds(5), Duration.ofSeconds(15),
                Duration.ofHours(2), Duration.ofSeconds(90)));
        assertThat(config.limits()).isEqualTo(new LimitsConfig(4096, 16384, 50, 2000, 20,
                LimitsConfig.HeadersWithUnderscores.REJECT, 250));
        assertThat(config.via()).isEqualTo("edge-7.example");
        assertThat(config.requestId()).isFalse();
        assertThat(config.tracing()).isEqualTo(
                new TracingConfig(URI.create("https://collector.internal:4318/v1/traces"), 0.25));
        assertThat(config.accessLog()).isEqualTo(new AccessLogConfig(AccessLogConfig.To.FILE,
                dir.resolve("logs/access.log"), AccessLogConfig.Format.COMBINED, 4, 19));
        assertThat(config.redis()).isEqualTo(new RedisConfig(hp("redis.internal:6380"), "bascule", "s3cret", 2,
                Duration.ofMillis(20), "edge:"));
        assertThat(config.redis().toString()).as("the password is never printed").doesNotContain("s3cret");

        assertThat(config.upstreams().get("web")).isEqualTo(new UpstreamConfig("web", "ewma", null,
                List.of(new ServerConfig(hp("127.0.0.1:9001"), 1, 100), new ServerConfig(hp("127.0.0.1:9002"), 3, 0)),
                new HealthCheckConfig("/ready", Duration.ofSeconds(5), Duration.ofMillis(500), 200, 299, 3, 2, "web.internal"),
                new PassiveConfig(3, Duration.ofSeconds(30), 34),
                UpstreamConfig.WhenAllDown.REJECT, Duration.ofSeconds(20), Duration.ofMinutes(1), null,
                Duration.ofSeconds(5), HttpProtocol.HTTP1, new QueueConfig(1000, Duration.ofSeconds(2))));
        UpstreamConfig api = config.upstreams().get("api");
        assertThat(api.healthCheck()).isEqualTo(
                new HealthCheckConfig("/health", Duration.ofSeconds(2), Duration.ofSeconds(1), 204, 204, 2, 3, null,
                        HealthCheckConfig.Type.HTTP, null));
        assertThat(api.protocol()).isEqualTo(HttpProtocol.H2);
        assertThat(api.tls()).isEqualTo(new UpstreamTlsConfig(true, dir.resolve("ca.pem"), "api.internal",
                dir.resolve("client.pem"), dir.resolve("client.key")));
        UpstreamConfig legacy = config.upstreams().get("legacy");
        assertThat(legacy.tls()).isEqualTo(new UpstreamTlsConfig(false, null, null, null, null));
        assertThat(legacy.healthCheck()).isEqualTo(new HealthCheckConfig("/health", Duration.ofSeconds(2),
                Duration.ofSeconds(1), 200, 399, 2, 3, null, HealthCheckConfig.Type.TCP, null));
        UpstreamConfig grpc = config.upstreams().get("grpc");
        assertThat(grpc.protocol()).isEqualTo(HttpProtocol.H2C);
        assertThat(grpc.healthCheck()).isEqualTo(new HealthCheckConfig("/health", Duration.ofSeconds(2),
                Duration.ofSeconds(1), 200, 399, 2, 3, "grpc.internal", HealthCheckConfig.Type.GRPC, "chat.v1.Chat"));

        assertThat(config.routes()).containsExactly(
                new RouteConfig(null, "/api", false, "api",
                        new RetryConfig(3, EnumSet.allOf(RetryConfig.RetryOn.class), Duration.ofSeconds(2)),
                        List.of(cidr("10.0.0.0/8"), cidr("fd00::/8")), List.of(cidr("10.1.0.0/16")),
                        new RateLimitConfig(2.5, 10, new HashKeyConfig(HashKeyConfig.Source.HEADER, "X-Api-Key")),
                        10L << 20, true, null),
                new RouteConfig(null, "/", false, "web", new RetryConfig(1, Set.of(), null), List.of(), List.of(),
                        new RateLimitConfig(2.5, 3, HashKeyConfig.CLIENT_IP), -1, false, null),
                new RouteConfig("labs.test", null, false, "web", RetryConfig.DEFAULTS, List.of(), List.of(), null, -1,
                        true, null,
                        new RequestMatchConfig(Map.of("x-release", "green", "x-empty", ""), Map.of("release", "green"),
                                Map.of("v", "2", "q", "a b"), List.of("GET", "HEAD")),
                        new HeaderEditsConfig(Map.of("x-env", "prod", "host", "web.internal"), Map.of("x-tag", "a"),
                                List.of("x-debug")),
                        new HeaderEditsConfig(Map.of("x-served-by", "bascule"), Map.of("set-cookie", "a=1"),
                                List.of("server")),
                        null, new MirrorConfig("api", 125_000, 7), null),
                new RouteConfig(null, "/old", false, null, RetryConfig.DEFAULTS, List.of(cidr("10.0.0.0/8")), List.of(),
                        new RateLimitConfig(10, 10, HashKeyConfig.CLIENT_IP, RateLimitConfig.Scope.GLOBAL), -1, true,
                        "old", RequestMatchConfig.NONE,
                        HeaderEditsConfig.NONE, new HeaderEditsConfig(Map.of(), Map.of(), List.of("x-debug")),
                        new RedirectConfig("https://labs.test/new", 308, true)),
                new RouteConfig(null, "/gone", false, null, RetryConfig.DEFAULTS, List.of(), List.of(), null, -1, true,
                        null, RequestMatchConfig.NONE, HeaderEditsConfig.NONE, HeaderEditsConfig.NONE,
                        new RedirectConfig("/new", 302, false)),
                new RouteConfig("canary.labs.test", null, false, null, RetryConfig.DEFAULTS, List.of(), List.of(),
                        null, -1, true, "canary", RequestMatchConfig.NONE, HeaderEditsConfig.NONE,
                        HeaderEditsConfig.NONE, null, null, new SplitConfig(List.of(new SplitConfig.Side("web", 75),
                                new SplitConfig.Side("api", 25)), new HashKeyConfig(HashKeyConfig.Source.HEADER,
                                "X-User"))));
        assertThat(config.stateFile()).isEqualTo(dir.resolve("run/state.json"));
        assertThat(config.routes().get(2).conditions().headers().keySet()).as("in the order written")
                .containsExactly("x-release", "x-empty");
    }

    @Test
    void theNewerKeysDefaultWhenAbsent() throws Exception {
        BasculeConfig config = ConfigLoaderTest.LOADER.parse("""
                listeners:
                  - { address: 127.0.0.1:8080 }
                  - { address: 127.0.0.1:8443, tls: { cert: site.pem, key: site.key } }
                admin: { address: localhost:9901 }
                upstreams:
                  web:
                    servers: [ { address: 127.0.0.1:9001 } ]
                    health_check: {}
                  grpc:
                    protocol: h2c
                    servers: [ { address: 127.0.0.1:50051 } ]
                    health_check: { type: grpc }
                routes: [ { upstream: web } ]
                """, "t.yaml");

        // Written out rather than the DEFAULTS constants, so a changed default fails here.
        assertThat(config.shutdownGrace()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.trustedProxies()).isEmpty();
        assertThat(config.listeners().get(0)).isEqualTo(new ListenerConfig("127.0.0.1:8080", hp("127.0.0.1:8080"),
                null, false, null, List.of(HttpProtocol.HTTP1)));
        assertThat(config.listeners().get(1).protocols()).as("with tls").containsExactly(HttpProtocol.H2, HttpProtocol.HTTP1);
        assertThat(config.timeouts().clientHeader()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.timeouts().clientBodyIdle()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.timeouts().tunnelIdle()).isEqualTo(Duration.ofHours(1));
        assertThat(config.timeouts().streamIdle()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.limits()).isEqualTo(new LimitsConfig(8192, 32768, 100, 10000, 0,
                LimitsConfig.HeadersWithUnderscores.ALLOW, 100));
        assertThat(config.via()).isEqualTo("bascule");
        assertThat(config.requestId()).isTrue();
        assertThat(config.tracing()).as("absent: off").isNull();
        assertThat(config.accessLog()).as("JSON lines on standard output").isEqualTo(AccessLogConfig.DEFAULT);
        assertThat(config.redis()).as("absent: no global rate limits").isNull();
        assertThat(config.admin()).as("plain HTTP, no token, loopback names only")
                .isEqualTo(new AdminConfig(hp("localhost:9901"), null, null, List.of()));
        UpstreamConfig web = config.upstreams().get("web");
        assertThat(web.healthCheck()).isEqualTo(new HealthCheckConfig("/health", Duration.ofSeconds(2),
                Duration.ofSeconds(1), 200, 399, 2, 3, null, HealthCheckConfig.Type.HTTP, null));
        assertThat(web.protocol()).isEqualTo(HttpProtocol.HTTP1);
        assertThat(config.upstreams().get("grpc").healthCheck().service()).as("grpc: the whole server").isEmpty();
        assertThat(web.passive()).isEqualTo(new PassiveConfig(5, Duration.ofSeconds(10), 50));
        assertThat(web.whenAllDown()).isEqualTo(UpstreamConfig.WhenAllDown.FAIL_OPEN);
        assertThat(web.slowStart()).isZero();
        assertThat(web.resolveEvery()).isEqualTo(Duration.ofSeconds(30));
        assertThat(web.tls()).isNull();
        assertThat(web.ewmaDecay()).isEqualTo(Duration.ofMillis(500));
        assertThat(web.servers().get(0).maxConnections()).as("no cap").isZero();
        assertThat(web.queue()).isNull();
        assertThat(config.routes()).containsExactly(new RouteConfig(null, null, false, "web",
                new RetryConfig(2, EnumSet.of(RetryConfig.RetryOn.CONNECT_FAILURE, RetryConfig.RetryOn.RESET), null),
                List.of(), List.of(), null, -1, true, null));
    }

    @Test
    void aMirrorCopiesEveryRequestWithAHundredInFlightByDefault() throws Exception {
        BasculeConfig config = ConfigLoaderTest.LOADER.parse("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams:
                  blue: { servers: [ { address: 127.0.0.1:9001 } ] }
                  green: { servers: [ { address: 127.0.0.1:9002 } ] }
                routes:
                  - { upstream: blue, mirror: { upstream: green } }
                  - { upstream: blue, mirror: { upstream: green, percent: 0.0001 } }
                  - { upstream: blue, mirror: { upstream: green, percent: "100.0" } }
                  - { upstream: green }
                """, "t.yaml");

        assertThat(config.routes()).extracting(RouteConfig::mirror).containsExactly(
                new MirrorConfig("green", 1_000_000, 100), new MirrorConfig("green", 1, 100),
                new MirrorConfig("green", 1_000_000, 100), null);
        assertThat(config.routes().get(1).mirror().percentText()).isEqualTo("0.0001");
        assertThat(config.routes().get(0).mirror().percentText()).isEqualTo("100");
    }

    @Test
    void partialSectionsAndZeroesThatMeanOff() throws Exception {
        BasculeConfig config = EWMA_LOADER.parse("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                limits: { max_connections_per_ip: 0, headers_with_underscores: drop }
                via: off
                tracing: {}
                access_log: { to: off }
                admin: { address: "[::1]:9901", token_file: "", allowed_hosts: [] }
                upstreams:
                  web:
                    balancer: ewma
                    servers: [ { address: 127.0.0.1:9001, max_connections: 1 } ]
                    queue: { size: 0 }
                    health_check: { host: "", expect_status: 200-200 }
                    passive: { consecutive_failures: 0 }
                    slow_start: 0s
                    tls: {}
                routes:
                  - upstream: web
                    retry: { per_try_timeout: 1s }
                    rate_limit: { requests_per_second: 0.5, key: client_ip }
                  - upstream: web
                    retry: {}
                    rate_limit: { requests_per_second: 100, key: "header:x-user" }
                """, "t.yaml");

        assertThat(config.limits().maxConnectionsPerIp()).isZero();
        assertThat(config.limits().headersWithUnderscores()).isEqualTo(LimitsConfig.HeadersWithUnderscores.DROP);
        assertThat(config.via()).as("via: off").isNull();
        assertThat(config.tracing()).as("tracing: {} is on, with the defaults")
                .isEqualTo(new TracingConfig(URI.create("http://127.0.0.1:4318/v1/traces"), 0.01));
        assertThat(config.accessLog().to()).isEqualTo(AccessLogConfig.To.OFF);
        assertThat(config.accessLog().format()).isEqualTo(AccessLogConfig.Format.JSON);
        assertThat(config.admin()).as("token_file: \"\" is no token")
                .isEqualTo(new AdminConfig(hp("[::1]:9901"), null, null, List.of()));
        UpstreamConfig web = config.upstreams().get("web");
        assertThat(web.healthCheck().host()).isNull();
        assertThat(web.healthCheck().expectStatusMin()).isEqualTo(200);
        assertThat(web.healthCheck().expectStatusMax()).isEqualTo(200);
        assertThat(web.passive()).isEqualTo(new PassiveConfig(0, Duration.ofSeconds(10), 50));
        assertThat(web.slowStart()).isZero();
        assertThat(web.ewmaDecay()).isEqualTo(Duration.ofMillis(500));
        assertThat(web.tls()).isEqualTo(new UpstreamTlsConfig(true, null, null, null, null));
        assertThat(web.queue()).as("size 0: 503 at once, as without a queue; the timeout defaults")
                .isEqualTo(new QueueConfig(0, Duration.ofSeconds(5)));
        RouteConfig first = config.routes().get(0);
        assertThat(first.retry()).isEqualTo(new RetryConfig(2,
                EnumSet.of(RetryConfig.RetryOn.CONNECT_FAILURE, RetryConfig.RetryOn.RESET), Duration.ofSeconds(1)));
        assertThat(first.rateLimit()).isEqualTo(new RateLimitConfig(0.5, 1, HashKeyConfig.CLIENT_IP));
        assertThat(first.rateLimit().scope()).as("local by default").isEqualTo(RateLimitConfig.Scope.LOCAL);
        RouteConfig second = config.routes().get(1);
        assertThat(second.retry()).isEqualTo(RetryConfig.DEFAULTS);
        assertThat(second.rateLimit()).isEqualTo(
                new RateLimitConfig(100, 100, new HashKeyConfig(HashKeyConfig.Source.HEADER, "x-user")));
    }

    @Test
    void redisNeedsOnlyAnAddress() throws Exception {
        BasculeConfig config = ConfigLoaderTest.LOADER.parse("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                redis: { address: "[::1]:6379", password: 12345 }
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes:
                  - upstream: web
                    rate_limit: { requests_per_second: 100, burst: 200, scope: global }
                  - upstream: web
                    rate_limit: { requests_per_second: 100, scope: local }
                """, "t.yaml");
        assertThat(config.redis()).isEqualTo(new RedisConfig(hp("[::1]:6379"), null, "12345", 0,
                Duration.ofMillis(5), "bascule:"));
        assertThat(config.routes().get(0).rateLimit()).isEqualTo(
                new RateLimitConfig(100, 200, HashKeyConfig.CLIENT_IP, RateLimitConfig.Scope.GLOBAL));
        assertThat(config.routes().get(1).rateLimit().global()).isFalse();
    }

    @Test
    void accessLogDestinations() throws Exception {
        String base = """
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { upstream: web } ]
                """;
        Path dir = Path.of("/srv/bascule");
        assertThat(ConfigLoaderTest.LOADER.parse(base + "access_log: { to: stderr }", "/srv/bascule/b.yaml").accessLog())
                .isEqualTo(new AccessLogConfig(AccessLogConfig.To.STDERR, null, AccessLogConfig.Format.JSON, 4, 19));
        assertThat(ConfigLoaderTest.LOADER.parse(base + "access_log: { format: combined }", "/srv/bascule/b.yaml")
                .accessLog()).as("to defaults to stdout")
                .isEqualTo(new AccessLogConfig(AccessLogConfig.To.STDOUT, null, AccessLogConfig.Format.COMBINED, 4, 13));
        assertThat(ConfigLoaderTest.LOADER.parse(base + "access_log: { to: ./stdout }", "/srv/bascule/b.yaml")
                .accessLog().file()).as("a file named stdout").isEqualTo(dir.resolve("./stdout"));
        assertThat(ConfigLoaderTest.LOADER.parse(base + "access_log: { to: /var/log/bascule/access.log }",
                "/srv/bascule/b.yaml").accessLog().file()).isEqualTo(Path.of("/var/log/bascule/access.log"));
        assertThat(ConfigLoaderTest.LOADER.parse(base + "access_log: {}", "/srv/bascule/b.yaml").accessLog().sameLog(
                AccessLogConfig.DEFAULT)).as("{} is every default").isTrue();
    }

    private static final String WITH_PATHS = """
            listeners:
              - address: 127.0.0.1:8443
                tls: { cert: tls/site.pem, key: /abs/site.key }
            upstreams:
              web:
                servers: [ { address: 127.0.0.1:9001 } ]
                tls: { ca: ../shared/ca.pem }
            routes: [ { upstream: web } ]
            """;

    @Test
    void pathsResolveAgainstTheFolderOfTheLoadedFile(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("etc/bascule.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, WITH_PATHS);

        BasculeConfig config = ConfigLoaderTest.LOADER.load(file);

        Path dir = tmp.resolve("etc");
        assertThat(config.listeners().get(0).tls().certificates()).containsExactly(
                new CertificateConfig(dir.resolve("tls/site.pem"), Path.of("/abs/site.key")));
        assertThat(config.upstreams().get("web").tls().ca()).isEqualTo(dir.resolve("../shared/ca.pem"));
    }

    @Test
    void pathsResolveAgainstTheFolderThatTheParsedTextIsNamedAfter() throws Exception {
        Path cwd = Path.of("").toAbsolutePath();
        assertThat(certOf(ConfigLoaderTest.LOADER.parse(WITH_PATHS, "deploy/prod/bascule.yaml")))
                .isEqualTo(cwd.resolve("deploy/prod/tls/site.pem"));
        assertThat(certOf(ConfigLoaderTest.LOADER.parse(WITH_PATHS, "/srv/bascule.yaml")))
                .isEqualTo(Path.of("/srv/tls/site.pem"));
        // A bare file name, or a label that is no path at all, names no folder: the working directory.
        assertThat(certOf(ConfigLoaderTest.LOADER.parse(WITH_PATHS, "bascule.yaml"))).isEqualTo(cwd.resolve("tls/site.pem"));
        assertThat(certOf(ConfigLoaderTest.LOADER.parse(WITH_PATHS, "<demo>"))).isEqualTo(cwd.resolve("tls/site.pem"));
    }

    private static Path certOf(BasculeConfig config) {
        return config.listeners().get(0).tls().certificates().get(0).cert();
    }
}
