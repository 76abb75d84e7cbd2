package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.Scrape;
import dev.bascule.testing.TestOrigin;
import java.io.File;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole {@code GET /metrics} output (Bascule's metrics, the JVM's and the process's) passes {@code promtool
 * check metrics}, Prometheus's own parser and linter (names, {@code _total} on counters, help text, units). Runs
 * where promtool is on the PATH (Debian package {@code prometheus}, which {@code .ci/run} installs).
 */
@ExtendWith(LeakGuard.class)
@EnabledIf("promtoolOnPath")
class PromtoolCheckTest {

    static boolean promtoolOnPath() {
        return promtool() != null;
    }

    private static Path promtool() {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, "promtool");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    @Test
    void theOutputPassesPromtoolWithoutAComplaint() throws Exception {
        try (TestOrigin origin = TestOrigin.start("o");
                ProxyUnderTest proxy = ProxyUnderTest.start("""
                        listeners: [ { name: public, address: 127.0.0.1:0 } ]
                        admin: { address: 127.0.0.2:0 }
                        upstreams:
                          app:
                            servers: [ { address: %s, max_connections: 2 } ]
                            queue: { size: 4, timeout: 1s }
                        routes: [ { upstream: app } ]
                        """.formatted(origin.address()), 1)) {
            assertThat(proxy.get("app.test", "/").statusCode()).isEqualTo(200);
            // The request's record reaches the counters just after its answer is written.
            String[] scraped = new String[1];
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                scraped[0] = Scrape.of(proxy.bascule().adminAddress()).text();
                return scraped[0].contains("bascule_requests_total{");
            });
            String text = scraped[0];
            assertThat(text).contains("bascule_server_up{", "jvm_memory_used_bytes{", "process_cpu_seconds_total ",
                    "bascule_request_duration_seconds_bucket{", "bascule_upstream_response_seconds_bucket{",
                    "bascule_local_responses_total{", "bascule_client_connections_accepted_total{");

            Process check = new ProcessBuilder(promtool().toString(), "check", "metrics")
                    .redirectErrorStream(true)
                    .start();
            try (OutputStream in = check.getOutputStream()) {
                in.write(text.getBytes(StandardCharsets.UTF_8));
            }
            String complaints = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(complaints).as("promtool check metrics").isEmpty();
            assertThat(check.exitValue()).isZero();
        }
    }
}
