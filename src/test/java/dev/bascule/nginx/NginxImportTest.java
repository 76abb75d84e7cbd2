package dev.bascule.nginx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bascule.balance.Balancers;
import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ConfigLoader;
import dev.bascule.config.RouteConfig;
import dev.bascule.config.ServerConfig;
import dev.bascule.config.UpstreamConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code import-nginx} on the seed's nginx.conf and on a config with every directive it translates: the output
 * is the golden one (YAML and notes), it loads with Bascule's own loader, and it means what nginx meant. Small
 * configs then pin each rule: prefix replacement, server order, HTTPS redirects, what is reported.
 *
 * <p>To accept a deliberate change of the output, run with {@code -Dbascule.golden.update=true} and review the
 * diff of {@code src/test/resources/nginx}.
 */
class NginxImportTest {
    private static final Path GOLDEN = Path.of("src/test/resources/nginx");
    private static final ConfigLoader LOADER = new ConfigLoader(Balancers.standard().names());

    private static String resource(String name) throws Exception {
        return Files.readString(GOLDEN.resolve(name), StandardCharsets.UTF_8);
    }

    private static NginxImport.Result importOf(String name) throws Exception {
        return NginxImport.translate(resource(name + ".conf"), name + ".conf");
    }

    @ParameterizedTest
    @ValueSource(strings = {"seed-nginx", "every-directive"})
    void theOutputIsTheGoldenOne(String name) throws Exception {
        NginxImport.Result r = importOf(name);
        String notes = String.join("\n", r.notes()) + "\n";
        if (Boolean.getBoolean("bascule.golden.update")) {
            Files.writeString(GOLDEN.resolve(name + ".yaml"), r.yaml(), StandardCharsets.UTF_8);
            Files.writeString(GOLDEN.resolve(name + ".notes"), notes, StandardCharsets.UTF_8);
        }
        assertThat(r.yaml()).isEqualTo(resource(name + ".yaml"));
        assertThat(notes).isEqualTo(resource(name + ".notes"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"seed-nginx", "every-directive"})
    void theOutputLoadsWithBasculesOwnLoader(String name) throws Exception {
        LOADER.parse(importOf(name).yaml(), name + ".yaml"); // throws ConfigException with every error
    }

    @Test
    void theSeedMeansWhatNginxMeant() throws Exception {
        NginxImport.Result r = importOf("seed-nginx");
        BasculeConfig c = LOADER.parse(r.yaml(), "seed.yaml");

        assertThat(c.listeners()).hasSize(1);
        assertThat(c.listeners().get(0).address().toString()).isEqualTo("0.0.0.0:80");
        UpstreamConfig blue = c.upstreams().get("web-blue");
        assertThat(blue.balancer()).isEqualTo("round_robin");
        assertThat(blue.servers()).extracting(ServerConfig::weight).containsExactly(2, 1);
        assertThat(blue.servers().get(0).address().toString()).as("docker names stay; resolved at load")
                .isEqualTo("web-blue-01:80");
        List<RouteConfig> routes = c.routes();
        // Exact hosts first, then the default server (the first one on port 80) for any host, longest prefix first.
        assertThat(routes).extracting(RouteConfig::matchLabel).containsExactly("blue.labs.com.br",
                "green.labs.com.br", "/green", "/blue", "*");
        assertThat(routes).extracting(RouteConfig::upstream).containsExactly("web-blue", "web-green", "web-green",
                "web-blue", "web-blue");
        assertThat(routes).extracting(RouteConfig::stripPrefix).containsExactly(false, false, true, true, false);
        assertThat(routes.get(2).requestHeaders().set()).as("nginx's default Host: $proxy_host")
                .containsEntry("host", "web-green");
        assertThat(r.yaml()).contains("nginx's location /blue also matches /bluex", "nginx sends /blue/x as //x");
        assertThat(r.notes()).containsExactly(
                "seed-nginx.conf:1: directive 'events' not translated: Bascule has no worker processes: its event"
                        + " loops are set with run --threads",
                "seed-nginx.conf:2: directive 'worker_connections' not translated: Bascule limits client"
                        + " connections per listener: limits.max_connections");
    }

    private static NginxImport.Result importText(String conf) throws Exception {
        return NginxImport.translate(conf, "t.conf");
    }

    private static BasculeConfig load(String conf) throws Exception {
        return LOADER.parse(importText(conf).yaml(), "t.yaml");
    }

    @Test
    void proxyPassKeepsNginxsPrefixReplacementWhereBasculeCanSayIt() throws Exception {
        NginxImport.Result r = importText("""
                http {
                    upstream up { server 10.0.0.1:80; }
                    server {
                        listen 8080;
                        location /same/ { proxy_pass http://up/same/; }
                        location /whole { proxy_pass http://up; }
                        location /slash/ { proxy_pass http://up/; }
                        location /other/ { proxy_pass http://up/v2/; }
                        location / { proxy_pass http://up/; }
                    }
                }
                """);
        BasculeConfig c = LOADER.parse(r.yaml(), "t.yaml");
        assertThat(c.routes()).extracting(RouteConfig::pathPrefix).as("longest prefix first, then as written")
                .containsExactly("/slash", "/other", "/same", "/whole", null);
        assertThat(c.routes()).extracting(RouteConfig::stripPrefix).as("/slash/ -> / strips; the same URI passes")
                .containsExactly(true, true, false, false, false);
        assertThat(r.notes()).containsExactly("t.conf:8: directive 'proxy_pass' not translated: proxy_pass"
                + " http://up/v2/ replaces the location prefix /other/ with /v2/; Bascule can strip a prefix"
                + " (strip_prefix), not put another in its place: the route sends what follows /other/");
        assertThat(r.yaml()).contains("nginx answers /slash with a 301 to /slash/; here it is forwarded");
    }

    @Test
    void serversGoExactNamesFirstThenLongestWildcardsThenTheDefaultServer() throws Exception {
        BasculeConfig c = load("""
                http {
                    upstream a { server 10.0.0.1:80; }
                    upstream b { server 10.0.0.2:80; }
                    upstream d { server 10.0.0.3:80; }
                    server { listen 80; server_name *.test; location / { proxy_pass http://a; } }
                    server { listen 80; server_name *.labs.test; location / { proxy_pass http://b; } }
                    server { listen 80 default_server; server_name fallback.test; location / { proxy_pass http://d; } }
                    server { listen 80; server_name x.labs.test .y.test; location / { proxy_pass http://a; } }
                }
                """);
        // fallback.test is also named before *.test, which would take it otherwise: nginx prefers an exact name.
        assertThat(c.routes()).extracting(RouteConfig::host).containsExactly("fallback.test", "x.labs.test", "y.test",
                "*.labs.test", "*.y.test", "*.test", null);
        assertThat(c.routes()).extracting(RouteConfig::upstream).containsExactly("d", "a", "a", "b", "a", "a", "d");
    }

    @Test
    void aPlainServerThatOnlyRedirectsToHttpsBecomesTheListenersRedirect() throws Exception {
        NginxImport.Result r = importText("""
                http {
                    server { listen 80; server_name labs.test; return 301 https://$host$request_uri; }
                    server {
                        listen 443 ssl;
                        server_name labs.test;
                        ssl_certificate /etc/tls/labs.pem;
                        ssl_certificate_key /etc/tls/labs.key;
                        location / { proxy_pass http://127.0.0.1:9000; }
                        location /old { return 302 /new; }
                    }
                }
                """);
        BasculeConfig c = LOADER.parse(r.yaml(), "t.yaml");
        assertThat(c.listeners()).hasSize(2);
        assertThat(c.listeners().get(0).redirectHttps()).isTrue();
        assertThat(c.listeners().get(1).tls().certificates().get(0).cert()).isEqualTo(Path.of("/etc/tls/labs.pem"));
        assertThat(c.listeners().get(1).protocols()).as("nginx without http2 speaks HTTP/1.1 only")
                .extracting(Enum::name).containsExactly("HTTP1");
        assertThat(c.upstreams()).containsOnlyKeys("127.0.0.1-9000");
        assertThat(c.routes().get(0).redirect().to()).isEqualTo("/new");
        assertThat(c.routes().get(0).redirect().status()).isEqualTo(302);
        assertThat(c.routes().get(1).upstream()).isEqualTo("127.0.0.1-9000");
        assertThat(r.notes()).isEmpty();
    }

    @Test
    void aSyntaxErrorIsNginxsAndNothingIsTranslated() {
        NginxSyntaxException e = catchThrowableOfType(NginxSyntaxException.class,
                () -> importText("http {\n  server {\n    listen 80\n  }\n}\n"));
        assertThat(e.line()).isEqualTo(4);
        assertThat(e.getMessage()).isEqualTo("unexpected '}' after 'listen 80': a directive ends with ';'");
    }

    @Test
    void includeIsReportedAndSoIsAServerBlockOutsideHttp() throws Exception {
        NginxImport.Result r = importText("""
                include /etc/nginx/modules/*.conf;
                http {
                    include conf.d/*.conf;
                    upstream u { server 10.0.0.1:80 weight=5000 slow_start=30s; server unix:/tmp/s.sock; }
                    server { listen 80; location / { proxy_pass http://u; } }
                }
                """);
        assertThat(r.notes()).containsExactly(
                "t.conf:1: directive 'include' not translated: " + Reasons.INCLUDE,
                "t.conf:3: directive 'include' not translated: " + Reasons.INCLUDE,
                "t.conf:4: directive 'server' not translated: parameter 'slow_start=30s': no Bascule equivalent",
                "t.conf:4: directive 'server' not translated: UNIX sockets are not supported: Bascule connects over"
                        + " TCP");
        assertThat(r.yaml()).contains("- { address: 10.0.0.1:80, weight: 1000 }   # weight 5000 lowered to 1000");
        LOADER.parse(r.yaml(), "t.yaml");
    }
}
