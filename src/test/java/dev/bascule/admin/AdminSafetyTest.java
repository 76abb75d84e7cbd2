package dev.bascule.admin;

import static dev.bascule.admin.AdminUnderTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.RawHttp;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The admin API's guard over real sockets, on a loopback address: the Host check against DNS rebinding, the
 * Origin check against cross-site writes, JSON bodies only, the bearer token (also across reloads) and {@code GET
 * /ready}.
 */
@ExtendWith(LeakGuard.class)
class AdminSafetyTest {
    private static final String TOKEN = "first-Token_0123456789";

    @TempDir
    Path dir;
    private AdminUnderTest t;

    @AfterEach
    void stop() {
        if (t != null) {
            t.close();
        }
    }

    private AdminUnderTest open() throws Exception {
        t = new AdminUnderTest();
        return t;
    }

    private Path tokenFile() {
        return dir.resolve("admin.token");
    }

    /** The admin section with a token; its token_file key is on line 20, column 3 of the config. */
    private String tokenSection() {
        return """
                admin:
                  address: 127.0.0.1:9901
                  token_file: '%s'
                """.formatted(tokenFile());
    }

    private AdminUnderTest openWithToken() throws Exception {
        Files.writeString(tokenFile(), TOKEN + "\n");
        t = new AdminUnderTest(tokenSection());
        return t;
    }

    private HttpResponse<String> send(String method, String path, String body, String authorization)
            throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + t.address.getPort() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            req.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            req.header("Authorization", authorization);
        }
        return t.client.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    private RawHttp.Response raw(String request) throws Exception {
        try (RawHttp raw = t.raw()) {
            return raw.exchange(request);
        }
    }

    private String drainPath() {
        return "/upstreams/web-blue/servers/" + t.blue1.address() + "/drain";
    }

    private String stateOfBlue1() throws Exception {
        return t.serverInStatus("web-blue", t.blue1.address()).get("state").asText();
    }

    // ---- Host: DNS rebinding ----

    @ParameterizedTest
    @ValueSource(strings = {"evil.example", "evil.example:9901", "127.0.0.1.nip.io", "localhost.evil.example",
            "10.0.0.1", "[fd00::1]:9901", "0.0.0.0"})
    void onALoopbackAddressAHostThatIsNotLoopbackIsForbidden(String host) throws Exception {
        open();
        RawHttp.Response r = raw("GET /status HTTP/1.1\r\nHost: " + host + "\r\n\r\n");

        assertThat(r.status()).isEqualTo(403);
        assertThat(json(r).get("error").asText()).contains("DNS rebinding");
        assertThat(raw("POST " + drainPath() + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 0\r\n\r\n")
                .status()).isEqualTo(403);
        assertThat(stateOfBlue1()).as("nothing done").isEqualTo("healthy");
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "LocalHost:1", "127.0.0.1", "127.8.9.10:9901", "[::1]", "[::1]:65535",
            "[0:0:0:0:0:0:0:1]:80"})
    void loopbackNamesWithAnyPortAreServed(String host) throws Exception {
        open();
        assertThat(raw("GET /status HTTP/1.1\r\nHost: " + host + "\r\n\r\n").status()).isEqualTo(200);
    }

    @Test
    void theHostOfAnAbsoluteFormTargetIsTheOneChecked() throws Exception {
        open();
        // RFC 9112 §3.2.2: the target's authority replaces Host.
        assertThat(raw("GET http://evil.example/status HTTP/1.1\r\nHost: localhost\r\n\r\n").status()).isEqualTo(403);
        assertThat(raw("GET http://127.0.0.1:1/status HTTP/1.1\r\nHost: evil.example\r\n\r\n").status())
                .isEqualTo(200);
    }

    @Test
    void aMissingRepeatedOrMalformedHostIsABadRequest() throws Exception {
        open();
        assertThat(raw("GET /status HTTP/1.1\r\n\r\n").status()).isEqualTo(400);
        assertThat(raw("GET /status HTTP/1.1\r\nHost: localhost\r\nHost: localhost\r\n\r\n").status()).isEqualTo(400);
        assertThat(raw("GET /status HTTP/1.1\r\nHost: local host\r\n\r\n").status()).isEqualTo(400);
        assertThat(raw("GET /status HTTP/1.1\r\nHost: localhost:99999\r\n\r\n").status()).isEqualTo(400);
        assertThat(raw("GET /status HTTP/1.1\r\nHost: user@localhost\r\n\r\n").status()).isEqualTo(400);
        assertThat(raw("GET /status HTTP/1.1\r\nHost: [::1\r\n\r\n").status()).isEqualTo(400);
    }

    // ---- Origin: cross-site writes ----

    @ParameterizedTest
    @ValueSource(strings = {"http://evil.example", "null", "http://127.0.0.1:1", "https://127.0.0.1:PORT",
            "http://localhost:PORT", "http://127.0.0.1:PORT/path", "127.0.0.1:PORT"})
    void aWriteFromAnotherOriginIsForbidden(String origin) throws Exception {
        open();
        int port = t.address.getPort();
        RawHttp.Response r = raw("POST " + drainPath() + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nOrigin: "
                + origin.replace("PORT", String.valueOf(port)) + "\r\nContent-Length: 0\r\n\r\n");

        assertThat(r.status()).isEqualTo(403);
        assertThat(json(r).get("error").asText()).startsWith("cross-origin write refused");
        assertThat(stateOfBlue1()).isEqualTo("healthy");
    }

    @Test
    void everyKindOfWriteIsChecked() throws Exception {
        open();
        String server = "/upstreams/web-blue/servers/" + t.blue1.address();
        String foreign = "Host: localhost\r\nOrigin: http://evil.example\r\nContent-Type: application/json\r\n";
        assertThat(raw("PATCH " + server + " HTTP/1.1\r\n" + foreign + "Content-Length: 12\r\n\r\n{\"weight\":5}")
                .status()).isEqualTo(403);
        assertThat(raw("DELETE " + server + " HTTP/1.1\r\n" + foreign + "\r\n").status()).isEqualTo(403);
        assertThat(raw("PUT " + server + " HTTP/1.1\r\n" + foreign + "\r\n").status()).isEqualTo(403);
        assertThat(raw("POST /upstreams/web-blue/servers HTTP/1.1\r\n" + foreign
                + "Content-Length: 30\r\n\r\n{\"address\": \"127.0.0.1:9999\"}\n").status()).isEqualTo(403);
        assertThat(t.serverInStatus("web-blue", t.blue1.address()).get("weight").asInt()).isEqualTo(2);
        assertThat(t.serverInStatus("web-blue", "127.0.0.1:9999")).isNull();
    }

    @Test
    void aSameOriginWriteAndAForeignOriginReadAreServed() throws Exception {
        open();
        int port = t.address.getPort();
        RawHttp.Response drain = raw("POST " + drainPath() + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nOrigin: http://127.0.0.1:" + port + "\r\nContent-Length: 0\r\n\r\n");
        assertThat(drain.status()).isEqualTo(200);
        assertThat(json(drain).get("state").asText()).isEqualTo("draining");
        // The default port, and case, are the same origin (RFC 6454 §4-5).
        assertThat(raw("POST /upstreams/web-blue/servers/" + t.blue1.address() + "/undrain HTTP/1.1\r\n"
                + "Host: LOCALHOST\r\nOrigin: HTTP://localhost:80\r\nContent-Length: 0\r\n\r\n").status())
                .isEqualTo(200);
        // A cross-origin read is the browser's to withhold (no CORS headers); the guard lets it through.
        assertThat(raw("GET /status HTTP/1.1\r\nHost: localhost\r\nOrigin: http://evil.example\r\n\r\n").status())
                .isEqualTo(200);
    }

    // ---- bodies ----

    @Test
    void aBodyThatIsNotJsonIsAnUnsupportedMediaType() throws Exception {
        open();
        String add = "POST /upstreams/web-blue/servers HTTP/1.1\r\nHost: localhost\r\n";
        String body = "{\"address\": \"127.0.0.1:9999\"}";
        String length = "Content-Length: " + body.length() + "\r\n\r\n";

        RawHttp.Response plain = raw(add + "Content-Type: text/plain\r\n" + length + body);
        assertThat(plain.status()).isEqualTo(415);
        assertThat(json(plain).get("error").asText()).isEqualTo(
                "a request body must be application/json; this one is text/plain");
        assertThat(raw(add + length + body).status()).as("no Content-Type").isEqualTo(415);
        assertThat(raw(add + "Content-Type: application/x-www-form-urlencoded\r\n" + length + body).status())
                .isEqualTo(415);
        assertThat(raw("POST " + drainPath() + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 0\r\n\r\n").status())
                .as("a form post without a body").isEqualTo(415);
        assertThat(t.serverInStatus("web-blue", "127.0.0.1:9999")).isNull();
        assertThat(stateOfBlue1()).isEqualTo("healthy");

        assertThat(raw(add + "Content-Type: Application/JSON; charset=utf-8\r\n" + length + body).status())
                .as("parameters allowed, case-insensitive").isEqualTo(201);
        assertThat(raw("POST " + drainPath() + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n").status())
                .as("no body, no type").isEqualTo(200);
    }

    // ---- token ----

    @Test
    void withATokenSetEveryRequestButReadyNeedsIt() throws Exception {
        openWithToken();

        HttpResponse<String> none = send("GET", "/status", null, null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"bascule\"");
        assertThat(send("POST", drainPath(), null, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/nope", null, null).statusCode()).as("even a path that is not there").isEqualTo(401);
        assertThat(send("GET", "/status", null, "Basic " + TOKEN).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/ready", null, null).statusCode()).isEqualTo(200);
        HttpResponse<String> head = send("HEAD", "/ready", null, null);
        assertThat(head.statusCode()).as("HEAD, as load balancers probe").isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(send("HEAD", "/status", null, null).statusCode()).as("HEAD needs the token as GET does")
                .isEqualTo(401);
        assertThat(send("HEAD", "/status", null, "Bearer " + TOKEN).statusCode()).isEqualTo(200);

        HttpResponse<String> wrong = send("GET", "/status", null, "Bearer not-" + TOKEN);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("www-authenticate"))
                .hasValue("Bearer realm=\"bascule\", error=\"invalid_token\"");
        assertThat(wrong.body()).doesNotContain(TOKEN);
        assertThat(send("GET", "/status", null, "Bearer " + TOKEN.substring(1)).statusCode()).isEqualTo(401);
        assertThat(stateOfBlueWith("Bearer " + TOKEN)).isEqualTo("healthy");

        assertThat(send("GET", "/status", null, "Bearer " + TOKEN).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/status", null, "bearer  " + TOKEN + " ").statusCode())
                .as("the scheme ignores case (RFC 9110 §11.1)").isEqualTo(200);
        assertThat(send("POST", drainPath(), null, "Bearer " + TOKEN).statusCode()).isEqualTo(200);
        assertThat(send("PATCH", "/upstreams/web-blue/servers/" + t.blue1.address(), "{\"weight\": 4}",
                "Bearer " + TOKEN).statusCode()).isEqualTo(200);
        assertThat(stateOfBlueWith("Bearer " + TOKEN)).isEqualTo("draining");
    }

    private String stateOfBlueWith(String authorization) throws Exception {
        HttpResponse<String> r = send("GET", "/upstreams/web-blue/servers/" + t.blue1.address(), null, authorization);
        assertThat(r.statusCode()).isEqualTo(200);
        return json(r).get("state").asText();
    }

    @Test
    void theHostAndOriginChecksComeBeforeTheToken() throws Exception {
        openWithToken();
        assertThat(raw("GET /status HTTP/1.1\r\nHost: evil.example\r\nAuthorization: Bearer " + TOKEN + "\r\n\r\n")
                .status()).isEqualTo(403);
        assertThat(raw("POST " + drainPath() + " HTTP/1.1\r\nHost: localhost\r\nOrigin: http://evil.example\r\n"
                + "Authorization: Bearer " + TOKEN + "\r\nContent-Length: 0\r\n\r\n").status()).isEqualTo(403);
    }

    @Test
    void aReloadThatChangesTheTokenTakesEffectAtOnce() throws Exception {
        openWithToken();
        String yaml = AdminUnderTest.yaml(t.blue1.address(), t.blue2.address(), t.green1.address()) + tokenSection();
        t.reloadWith = () -> AdminUnderTest.parse(yaml, "t.yaml");
        Files.writeString(tokenFile(), "second-Token_9876543210\n");

        assertThat(send("GET", "/status", null, "Bearer " + TOKEN).statusCode()).as("read at load, not per request")
                .isEqualTo(200);
        assertThat(send("POST", "/reload", null, "Bearer " + TOKEN).statusCode()).isEqualTo(200);

        assertThat(send("GET", "/status", null, "Bearer " + TOKEN).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/status", null, "Bearer second-Token_9876543210").statusCode()).isEqualTo(200);
    }

    @Test
    void aReloadWhoseTokenFileCannotBeUsedIsRejectedAtTheKeyAndTheTokenStays() throws Exception {
        openWithToken();
        String yaml = AdminUnderTest.yaml(t.blue1.address(), t.blue2.address(), t.green1.address()) + tokenSection();
        t.reloadWith = () -> AdminUnderTest.parse(yaml, "t.yaml");
        Files.writeString(tokenFile(), "\n");

        HttpResponse<String> emptied = send("POST", "/reload", null, "Bearer " + TOKEN);
        assertThat(emptied.statusCode()).isEqualTo(400);
        assertThat(json(emptied).get("errors").get(0).asText()).isEqualTo("t.yaml:20:3: token_file " + tokenFile()
                + ": its first line is empty; it must hold the token");

        Files.delete(tokenFile());
        HttpResponse<String> deleted = send("POST", "/reload", null, "Bearer " + TOKEN);
        assertThat(deleted.statusCode()).isEqualTo(400);
        assertThat(json(deleted).get("errors").get(0).asText()).isEqualTo("t.yaml:20:3: token_file " + tokenFile()
                + ": cannot read it: no such file");

        assertThat(json(send("GET", "/status", null, "Bearer " + TOKEN)).at("/config/version").asLong())
                .as("nothing changed, the token stays").isEqualTo(1);
    }

    // ---- ready ----

    @Test
    void readyIs200UntilShutdownStartsThen503WhileTheAdminApiStillAnswers() throws Exception {
        openWithToken();
        HttpResponse<String> ready = send("GET", "/ready", null, null);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(json(ready).get("status").asText()).isEqualTo("ready");
        assertThat(send("POST", "/ready", null, null).statusCode()).as("a write needs the token").isEqualTo(401);

        t.admin.shutdownStarted();

        HttpResponse<String> draining = send("GET", "/ready", null, null);
        assertThat(draining.statusCode()).isEqualTo(503);
        assertThat(json(draining).get("status").asText()).isEqualTo("shutting down");
        assertThat(send("GET", "/status", null, "Bearer " + TOKEN).statusCode()).isEqualTo(200);
    }
}
