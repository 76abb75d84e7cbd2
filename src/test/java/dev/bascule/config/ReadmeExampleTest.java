package dev.bascule.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The reference in README.md is a config the loader accepts, so the documentation cannot drift from the format. */
class ReadmeExampleTest {

    @Test
    void theConfigurationReferenceLoads() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int section = readme.indexOf("\n## Configuration\n");
        assertThat(section).as("README has a Configuration section").isPositive();
        int start = readme.indexOf("```yaml\n", section) + "```yaml\n".length();
        String yaml = readme.substring(start, readme.indexOf("```", start));

        ConfigLoader loader = new ConfigLoader(Set.of("round_robin", "least_conn", "random_two", "hash", "ewma"));
        BasculeConfig config = loader.parse(yaml, "README.md");

        assertThat(config.listeners()).extracting(ListenerConfig::name).containsExactly("public", "secure");
        assertThat(config.listeners()).extracting(ListenerConfig::protocols).containsExactly(
                List.of(HttpProtocol.HTTP1), List.of(HttpProtocol.H2, HttpProtocol.HTTP1));
        assertThat(config.upstreams()).containsOnlyKeys("web-blue", "web-green", "api", "grpc-svc");
        assertThat(config.upstreams().get("api").tls().verify()).isTrue();
        assertThat(config.upstreams().get("grpc-svc").protocol()).isEqualTo(HttpProtocol.H2C);
        assertThat(config.upstreams().get("grpc-svc").healthCheck().type()).isEqualTo(HealthCheckConfig.Type.GRPC);
        assertThat(config.routes()).hasSize(10);
        assertThat(config.routes().stream().filter(r -> r.mirror() != null).toList()).singleElement()
                .extracting(RouteConfig::mirror).isEqualTo(new MirrorConfig("web-green", 100_000, 100));
        assertThat(config.routes().get(3).rateLimit()).isEqualTo(new RateLimitConfig(100, 200, HashKeyConfig.CLIENT_IP));
        assertThat(config.redis()).as("the redis block shows its defaults").isEqualTo(
                new RedisConfig(HostPort.parse("127.0.0.1:6379")));
        assertThat(config.routes().get(5).websocket()).isTrue();
        RouteConfig pinned = config.routes().get(6);
        assertThat(pinned.matchLabel()).isEqualTo("labs.test[x-release=green,cookie:release=green,?v=2,GET|HEAD]");
        assertThat(pinned.requestHeaders().set()).containsEntry("x-env", "prod");
        assertThat(pinned.responseHeaders().remove()).containsExactly("server");
        assertThat(config.routes().get(7).redirect()).isEqualTo(new RedirectConfig("https://labs.test/new", 301, true));
        assertThat(config.routes().get(7).upstream()).isNull();
        RouteConfig split = config.routes().get(8);
        assertThat(split.name()).isEqualTo("app");
        assertThat(split.split()).isEqualTo(new SplitConfig(List.of(new SplitConfig.Side("web-blue", 90),
                new SplitConfig.Side("web-green", 10)), new HashKeyConfig(HashKeyConfig.Source.COOKIE,
                "bascule_release")));
        assertThat(config.routes().get(9).pathPrefix()).as("the catch-all comes last").isEqualTo("/");
        // The block shows the defaults of the protocol keys.
        assertThat(config.limits().h2MaxConcurrentStreams()).isEqualTo(LimitsConfig.DEFAULTS.h2MaxConcurrentStreams());
        assertThat(config.timeouts()).isEqualTo(TimeoutsConfig.DEFAULTS);
        assertThat(config.requestId()).isTrue();
        assertThat(config.tracing()).isEqualTo(
                new TracingConfig(TracingConfig.DEFAULT_ENDPOINT, TracingConfig.DEFAULT_SAMPLE));
        assertThat(config.accessLog().sameLog(AccessLogConfig.DEFAULT)).as("the access log's defaults").isTrue();
        // The admin block shows token_file's default ("": none) and the optional keys.
        Path here = Path.of("").toAbsolutePath();
        assertThat(config.stateFile()).isEqualTo(here.resolve("labs.state.json"));
        assertThat(config.admin()).isEqualTo(new AdminConfig(HostPort.parse("127.0.0.1:9901"), null,
                new CertificateConfig(here.resolve("certs/admin.pem"), here.resolve("certs/admin.key")),
                List.of("ops.example.com")));
    }
}
