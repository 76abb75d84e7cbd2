package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.bascule.config.CertificateConfig;
import dev.bascule.config.ConfigError;
import dev.bascule.config.ConfigException;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.TestCerts;
import dev.bascule.testing.TestOrigin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A real Bascule whose admin API has a token and speaks HTTPS ({@code admin.tls}, through the same TLS material as
 * the listeners), talked to with the JDK's HTTP client: {@code /metrics} needs the token like the rest, {@code
 * /ready} does not and turns 503 the moment a graceful shutdown starts while the admin API keeps answering, and
 * the token shows in no log line.
 */
@ExtendWith(LeakGuard.class)
class AdminAccessTest {
    private static final String TOKEN = "Prometheus-Scrapes-With-This-0001";
    private static final TestCerts.Ca CA = TestCerts.newCa("Admin Test CA");

    @TempDir
    Path dir;
    private TestOrigin origin;
    private Bascule bascule;
    private Path tokenFile;
    private String yaml;
    private HttpClient https;

    @BeforeEach
    void start() throws Exception {
        origin = TestOrigin.start("web-01");
        tokenFile = dir.resolve("admin.token");
        Files.writeString(tokenFile, TOKEN + "\n");
        CertificateConfig cert = CA.issue("bascule admin", List.of("localhost"), List.of("127.0.0.2"))
                .write(dir, "admin");
        yaml = """
                listeners: [ { name: public, address: 127.0.0.1:0 } ]
                admin:
                  address: 127.0.0.2:0
                  token_file: '%s'
                  tls: { cert: '%s', key: '%s' }
                shutdown_grace: 10s
                upstreams: { web: { servers: [ { address: %s } ] } }
                routes: [ { upstream: web } ]
                """.formatted(tokenFile, cert.cert(), cert.key(), origin.address());
        bascule = Bascule.start(ProxyUnderTest.parse(yaml), 1,
                () -> Main.loader().parse(yaml, "test.yaml"));
        https = HttpClient.newBuilder().sslContext(CA.clientContext()).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() {
        bascule.close();
        origin.close();
    }

    private URI admin(String path) {
        return URI.create("https://127.0.0.2:" + bascule.adminAddress().getPort() + path);
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(admin(path)).timeout(Duration.ofSeconds(10)).GET();
        if (token != null) {
            req.header("Authorization", "Bearer " + token);
        }
        return https.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theAdminApiSpeaksHttpsToTheJdkClientAndWantsTheToken() throws Exception {
        HttpResponse<String> status = get("/status", TOKEN);

        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(status.version()).as("ALPN offers http/1.1 only").isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(status.body()).contains("\"upstreams\"");
        assertThat(get("/status", null).statusCode()).isEqualTo(401);
        assertThat(get("/ready", null).statusCode()).isEqualTo(200);

        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI cleartext = URI.create("http://127.0.0.2:" + bascule.adminAddress().getPort() + "/ready");
        assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(cleartext).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString())).as("no plain HTTP on the TLS port")
                .isInstanceOf(IOException.class);
    }

    @Test
    void metricsNeedTheTokenAsPrometheusSendsIt() throws Exception {
        HttpResponse<String> without = get("/metrics", null);
        assertThat(without.statusCode()).isEqualTo(401);
        assertThat(without.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"bascule\"");

        HttpResponse<String> with = get("/metrics", TOKEN);
        assertThat(with.statusCode()).isEqualTo(200);
        assertThat(with.body()).contains("bascule_config_version");
    }

    @Test
    void readyTurns503WhenAGracefulShutdownStartsWhileTheAdminApiStillAnswers() throws Exception {
        assertThat(get("/ready", null).statusCode()).isEqualTo(200);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + bascule.listenerAddresses().get(0).getPort() + "/delay?ms=1500"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(5)).until(() -> origin.requests() == 1);

        CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(bascule::shutdownGracefully);

        await().atMost(Duration.ofSeconds(5)).until(() -> get("/ready", null).statusCode() == 503);
        assertThat(inFlight).as("still within the grace period").isNotDone();
        assertThat(get("/status", TOKEN).statusCode()).as("the admin API answers during the grace period")
                .isEqualTo(200);
        assertThat(inFlight.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(stopped.get(10, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> get("/ready", null)).as("closed once stopped").isInstanceOf(IOException.class);
    }

    @Test
    void aTokenFileThatCannotBeUsedStopsTheStartWithTheKeysPosition() throws Exception {
        Files.writeString(tokenFile, "   \n" + TOKEN + "\n");

        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> Bascule.start(Main.loader().parse(yaml, "test.yaml"), 1));

        assertThat(e).isNotNull();
        assertThat(e.errors()).extracting(ConfigError::toString).containsExactly("test.yaml:4:3: token_file "
                + tokenFile + ": its first line is empty; it must hold the token");
    }

    @Test
    void theTokenShowsInNoLogLine() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger ours = (Logger) LoggerFactory.getLogger("dev.bascule");
        Level before = ours.getLevel();
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        root.addAppender(logged);
        ours.setLevel(Level.DEBUG);
        try {
            bascule.close();
            bascule = Bascule.start(ProxyUnderTest.parse(yaml), 1, () -> Main.loader().parse(yaml, "test.yaml"));
            assertThat(get("/status", TOKEN).statusCode()).isEqualTo(200);
            assertThat(get("/status", TOKEN + "x").statusCode()).isEqualTo(401);
            assertThat(get("/status", TOKEN.substring(0, 10)).statusCode()).isEqualTo(401);
            assertThat(bascule.reload().get(10, TimeUnit.SECONDS)).isEqualTo(2);
            Files.writeString(tokenFile, "not a token: " + TOKEN + "\n");
            HttpResponse<String> rejected = https.send(HttpRequest.newBuilder(admin("/reload"))
                    .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody())
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(rejected.statusCode()).isEqualTo(400);
            assertThat(rejected.body()).doesNotContain(TOKEN);
        } finally {
            root.detachAppender(logged);
            ours.setLevel(before);
        }

        List<String> lines = logged.list.stream().map(e -> e.getFormattedMessage()
                + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy()))).toList();
        assertThat(lines).as("what was logged").anyMatch(l -> l.contains("bearer token required"))
                .anyMatch(l -> l.contains("reload through the admin API rejected"));
        assertThat(lines).noneMatch(l -> l.contains(TOKEN.substring(0, 10)));
    }
}
