package dev.bascule.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.config.AdminToken;
import dev.bascule.config.BasculeConfig;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guard's decisions without sockets: what a non-loopback address accepts (which tests may not bind), a token
 * dropped by a reload, and the parsing of Host, Origin, Authorization and Content-Type.
 */
class AdminGuardTest {
    private static final String TOKEN = "ops-Token-42";

    @TempDir
    Path dir;

    private AdminToken token(String text) throws Exception {
        Path file = dir.resolve("token");
        Files.writeString(file, text + "\n");
        BasculeConfig config = AdminUnderTest.parse("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                admin: { address: 0.0.0.0:9901, token_file: '%s' }
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { upstream: web } ]
                """.formatted(file), "t.yaml");
        return AdminToken.read(config);
    }

    private static AdminRequest request(String method, String target, String... headerPairs) {
        HttpHeaders headers = new DefaultHttpHeaders();
        for (int i = 0; i < headerPairs.length; i += 2) {
            headers.add(headerPairs[i], headerPairs[i + 1]);
        }
        return new AdminRequest(HttpVersion.HTTP_1_1, method, target, headers, new byte[0], true, null);
    }

    private static Integer status(AdminGuard guard, AdminRequest r) {
        Reply refused = guard.refusal(r);
        return refused == null ? null : refused.status().code();
    }

    @Test
    void aNonLoopbackAddressWithAllowedHostsAcceptsOnlyThemButReadyFromAnyHost() throws Exception {
        AdminToken token = token(TOKEN);
        AdminGuard guard = new AdminGuard(false, List.of("ops.example.com", "10.0.0.5"), false, () -> token);
        String bearer = "Bearer " + TOKEN;

        assertThat(status(guard, request("GET", "/status", "Host", "ops.example.com:9901", "Authorization", bearer)))
                .isNull();
        assertThat(status(guard, request("GET", "/status", "Host", "OPS.Example.COM", "Authorization", bearer)))
                .isNull();
        assertThat(status(guard, request("GET", "/status", "Host", "10.0.0.5", "Authorization", bearer))).isNull();
        assertThat(status(guard, request("GET", "/status", "Host", "evil.example", "Authorization", bearer)))
                .isEqualTo(403);
        assertThat(status(guard, request("GET", "/status", "Host", "localhost", "Authorization", bearer)))
                .as("loopback names are not special off loopback").isEqualTo(403);
        assertThat(status(guard, request("GET", "/ready", "Host", "10.1.2.3:9901")))
                .as("a probe sends the address it dials").isNull();
        assertThat(status(guard, request("GET", "/status", "Host", "ops.example.com"))).isEqualTo(401);
    }

    @Test
    void aNonLoopbackAddressWithoutAllowedHostsAcceptsAnyHostAndTheTokenGuardsIt() throws Exception {
        AdminToken token = token(TOKEN);
        AdminGuard guard = new AdminGuard(false, List.of(), true, () -> token);

        assertThat(status(guard, request("GET", "/metrics", "Host", "10.1.2.3:9901"))).isEqualTo(401);
        assertThat(status(guard, request("GET", "/metrics", "Host", "10.1.2.3:9901", "Authorization",
                "Bearer " + TOKEN))).isNull();
        // Over HTTPS the origin is https, port 443 by default.
        assertThat(status(guard, request("POST", "/reload", "Host", "ops.example.com", "Origin",
                "https://ops.example.com:443", "Authorization", "Bearer " + TOKEN))).isNull();
        assertThat(status(guard, request("POST", "/reload", "Host", "ops.example.com", "Origin",
                "http://ops.example.com", "Authorization", "Bearer " + TOKEN))).isEqualTo(403);
    }

    @Test
    void offLoopbackNoTokenInForceServesNothingButReady() throws Exception {
        AtomicReference<AdminToken> inForce = new AtomicReference<>(token(TOKEN));
        AdminGuard exposed = new AdminGuard(false, List.of(), false, inForce::get);
        AdminGuard local = new AdminGuard(true, List.of(), false, inForce::get);
        inForce.set(null); // a reload moved the address to loopback and dropped the token; the old address stays

        assertThat(status(exposed, request("GET", "/status", "Host", "10.1.2.3"))).isEqualTo(401);
        assertThat(exposed.refusal(request("GET", "/status", "Host", "10.1.2.3")).challenge())
                .isEqualTo(AdminGuard.CHALLENGE);
        assertThat(status(exposed, request("GET", "/ready", "Host", "10.1.2.3"))).isNull();
        assertThat(status(local, request("GET", "/status", "Host", "localhost"))).isNull();
    }

    @Test
    void anHttp10RequestWithoutHostIsNotRefusedForIt() {
        AdminGuard guard = new AdminGuard(true, List.of(), false, () -> null);
        AdminRequest old = new AdminRequest(HttpVersion.HTTP_1_0, "GET", "/status", new DefaultHttpHeaders(),
                new byte[0], false, null);
        AdminRequest write = new AdminRequest(HttpVersion.HTTP_1_0, "POST", "/reload",
                new DefaultHttpHeaders().add("Origin", "http://localhost"), new byte[0], false, null);

        assertThat(guard.refusal(old)).isNull();
        assertThat(guard.refusal(write).status().code()).as("an origin cannot be compared to no host").isEqualTo(403);
    }

    @Test
    void bearerCredentialsAndJsonMediaTypes() {
        assertThat(AdminGuard.bearer("Bearer abc")).isEqualTo("abc");
        assertThat(AdminGuard.bearer("  BEARER   abc  ")).isEqualTo("abc");
        assertThat(AdminGuard.bearer("Bearer")).isNull();
        assertThat(AdminGuard.bearer("Bearer ")).isNull();
        assertThat(AdminGuard.bearer("Bearerabc")).isNull();
        assertThat(AdminGuard.bearer("Basic abc")).isNull();

        assertThat(AdminGuard.isJson("application/json")).isTrue();
        assertThat(AdminGuard.isJson("application/JSON ; charset=utf-8")).isTrue();
        assertThat(AdminGuard.isJson("application/json-patch+json")).isFalse();
        assertThat(AdminGuard.isJson("text/json")).isFalse();
        assertThat(AdminGuard.isJson("")).isFalse();
    }

    @Test
    void authorities() {
        assertThat(Authority.parse("Example.COM:8080", 80)).isEqualTo(new Authority("example.com", 8080));
        assertThat(Authority.parse("example.com", 443)).isEqualTo(new Authority("example.com", 443));
        assertThat(Authority.parse("example.com:", 80)).as("empty port: the default").isEqualTo(
                new Authority("example.com", 80));
        assertThat(Authority.parse("[::1]:9901", 80)).isEqualTo(new Authority("[::1]", 9901));
        assertThat(Authority.parse("[::1]x", 80)).isNull();
        assertThat(Authority.parse("[127.0.0.1]", 80)).as("brackets hold IPv6").isNull();
        assertThat(Authority.parse("a:b:c", 80)).isNull();
        assertThat(Authority.parse("host:123456", 80)).isNull();
        assertThat(Authority.parse("", 80)).isNull();

        assertThat(Authority.parse("127.255.0.1", 80).isLoopback()).isTrue();
        assertThat(Authority.parse("[::ffff:127.0.0.1]", 80).isLoopback()).isTrue();
        assertThat(Authority.parse("127.0.0.256", 80).isLoopback()).isFalse();
        assertThat(Authority.parse("127.0.0.1.example", 80).isLoopback()).isFalse();
        assertThat(Authority.parse("localhost.", 80).isLoopback()).isFalse();
        assertThat(Authority.parse("[::2]", 80).isLoopback()).isFalse();
    }
}
