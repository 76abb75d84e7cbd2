package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestOrigin;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bascule as an operator runs it: a separate JVM started with {@code run -c FILE}, reloaded by SIGHUP, its access
 * log reopened by SIGUSR1, and stopped by SIGTERM while a request is in flight.
 */
class ProcessSignalsTest {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
    private final List<String> log = new CopyOnWriteArrayList<>();
    private Process process;

    @TempDir
    Path dir;

    @AfterEach
    void stop() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String config(TestOrigin origin) {
        return """
                listeners: [ { address: 127.0.0.1:0 } ]
                shutdown_grace: 10s
                upstreams: { app: { servers: [ { address: %s } ] } }
                routes: [ { upstream: app } ]
                """.formatted(origin.address());
    }

    private int startBascule(Path file) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // the product's logging, not the tests' quieter one that is also on this classpath
        String logback = Bascule.class.getResource("/logback.xml").toString();
        process = new ProcessBuilder(java.toString(), "-Xmx128m", "-Dlogback.configurationFile=" + logback,
                "-cp", classpath, "dev.bascule.Main",
                "run", "-c", file.toString(), "--threads", "1")
                .redirectErrorStream(true)
                .start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    log.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
            port.completeExceptionally(new IllegalStateException("bascule exited: " + log));
        }, "bascule-log");
        reader.setDaemon(true);
        reader.start();
        return port.orTimeout(60, TimeUnit.SECONDS).join();
    }

    private static String originOf(InetSocketAddress proxy) throws IOException {
        try (RawHttp c = new RawHttp(proxy)) {
            return c.exchange("GET / HTTP/1.1\r\nHost: app.test\r\n\r\n").header("x-origin");
        }
    }

    private void signal(String sig) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    @Test
    void sigusr1OpensTheAccessLogAgainAfterLogrotateRenamedIt() throws Exception {
        try (TestOrigin a = TestOrigin.start("a")) {
            Path file = dir.resolve("bascule.yaml");
            Path accessLog = dir.resolve("access.log");
            Path rotated = dir.resolve("access.log.1");
            Files.writeString(file, config(a) + "access_log: { to: access.log }\n");
            InetSocketAddress proxy = new InetSocketAddress("127.0.0.1", startBascule(file));
            assertThat(originOf(proxy)).isEqualTo("a");
            await().atMost(Duration.ofSeconds(10)).until(() -> lineCount(accessLog) == 1);

            Files.move(accessLog, rotated); // what logrotate does, then its postrotate script signals
            assertThat(originOf(proxy)).isEqualTo("a");
            await().atMost(Duration.ofSeconds(10)).until(() -> lineCount(rotated) == 2);
            signal("USR1");
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(accessLog));
            assertThat(originOf(proxy)).isEqualTo("a");

            await().atMost(Duration.ofSeconds(10)).until(() -> lineCount(accessLog) == 1);
            assertThat(lineCount(rotated)).isEqualTo(2);
            assertThat(log).noneMatch(l -> l.contains("SIGUSR1 is not available"));
        }
    }

    private static long lineCount(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file).size() : 0;
    }

    @Test
    void sighupReloadsAndSigtermLetsTheRequestInFlightFinish() throws Exception {
        try (TestOrigin a = TestOrigin.start("a"); TestOrigin b = TestOrigin.start("b")) {
            Path file = dir.resolve("bascule.yaml");
            Files.writeString(file, config(a));
            InetSocketAddress proxy = new InetSocketAddress("127.0.0.1", startBascule(file));
            assertThat(originOf(proxy)).isEqualTo("a");

            Files.writeString(file, config(b));
            signal("HUP");
            await().atMost(Duration.ofSeconds(20)).conditionEvaluationListener(c -> {
                if (c.getRemainingTimeInMS() <= c.getPollInterval().toMillis()) {
                    System.err.println("bascule's log so far:\n" + String.join("\n", log)); // why, on a time-out
                }
            }).until(() -> "b".equals(originOf(proxy)));

            Files.writeString(file, config(b).replace("upstream: app", "upstream: web-red"));
            signal("HUP");
            await().atMost(Duration.ofSeconds(20)).until(() -> log.stream().anyMatch(l ->
                    l.contains("reload rejected") && l.contains("unknown upstream 'web-red'")));
            assertThat(originOf(proxy)).as("a bad config changes nothing").isEqualTo("b");

            RawHttp slow = new RawHttp(proxy);
            slow.send("GET /delay?ms=1500 HTTP/1.1\r\nHost: app.test\r\n\r\n");
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    b.recorded().stream().anyMatch(r -> r.uri().startsWith("/delay")));
            process.destroy(); // SIGTERM
            RawHttp.Response r = slow.read(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("b");
            slow.close();
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isZero();
        }
    }
}
