package dev.bascule.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bascule.config.ConfigException;
import dev.bascule.testing.H2cClient;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.Scrape;
import dev.bascule.testing.TestOrigin;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The access log of a real Bascule, written to a file while real requests go through it: one line per request,
 * origin answers, local answers (404, 429, 502, 400) and a client that left (499) alike, over HTTP/1.1 and
 * h2c; the combined format as Apache log parsers read it; a reload that changes the log and one that keeps it.
 */
@ExtendWith(LeakGuard.class)
class AccessLogEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<AutoCloseable> closeLast = new ArrayList<>();
    private TestOrigin web1;
    private TestOrigin web2;
    private String deadAddress;
    private ProxyUnderTest proxy;

    @TempDir
    Path dir;

    @BeforeEach
    void origins() throws Exception {
        web1 = TestOrigin.start("web-1");
        web2 = TestOrigin.start("web-2");
        closeLast.add(web1);
        closeLast.add(web2);
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadAddress = "127.0.0.1:" + s.getLocalPort(); // closed again: connections are refused
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        for (AutoCloseable c : closeLast) {
            c.close();
        }
    }

    private String config(String accessLog) {
        return """
                listeners: [ { address: 127.0.0.1:0, protocols: [ http1, h2c ] } ]
                admin: { address: 127.0.0.2:0 }
                access_log: %s
                upstreams:
                  web: { servers: [ { address: %s }, { address: %s } ] }
                  dead: { servers: [ { address: %s } ] }
                routes:
                  - name: limited
                    match: { host: limited.test }
                    upstream: web
                    rate_limit: { requests_per_second: 0.01, burst: 1 }
                  - match: { host: dead.test }
                    upstream: dead
                  - match: { host: web.test, path_prefix: /app }
                    strip_prefix: true
                    upstream: web
                """.formatted(accessLog, web1.address(), web2.address(), deadAddress);
    }

    private RawHttp client() throws IOException {
        RawHttp c = proxy.raw();
        closeLast.add(0, c);
        return c;
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.US_ASCII) : List.of();
    }

    private static List<String> awaitLines(Path file, int count) throws IOException {
        await().atMost(WAIT).until(() -> lines(file).size() >= count);
        return lines(file);
    }

    @Test
    void oneJsonLinePerRequestWhoeverAnswered() throws Exception {
        Path file = dir.resolve("access.log");
        proxy = ProxyUnderTest.start(config("{ to: " + file + " }"), 2);
        RawHttp c = client();
        String first = "GET /app/x?q=1&r=%22 HTTP/1.1\r\nHost: web.test\r\nUser-Agent: probe \"quoted\" caf\u00e9\r\n"
                + "Referer: https://ref.test/a\r\n\r\n";
        assertThat(c.exchange(first).status()).isEqualTo(200);
        for (int i = 0; i < 3; i++) {
            assertThat(c.exchange("GET /app/x HTTP/1.1\r\nHost: web.test\r\n\r\n").status()).isEqualTo(200);
        }
        assertThat(c.exchange("GET /nothing HTTP/1.1\r\nHost: nowhere.test\r\n\r\n").status()).isEqualTo(404);
        assertThat(c.exchange("GET / HTTP/1.1\r\nHost: limited.test\r\n\r\n").status()).isEqualTo(200);
        assertThat(c.exchange("GET / HTTP/1.1\r\nHost: limited.test\r\n\r\n").status()).isEqualTo(429);
        assertThat(c.exchange("POST /x HTTP/1.1\r\nHost: dead.test\r\nContent-Length: 2\r\n\r\nhi").status())
                .isEqualTo(502);
        assertThat(client().exchange("GET / HTTP/1.1\r\n\r\n").status()).as("no Host").isEqualTo(400);
        try (H2cClient h2 = new H2cClient(proxy.address())) {
            assertThat(h2.get("web.test", "/app/h2").status()).isEqualTo(200);
        }
        RawHttp leaving = client();
        leaving.send("GET /app/delay?ms=3000 HTTP/1.1\r\nHost: web.test\r\n\r\n");
        await().atMost(WAIT).until(() -> web1.requests() + web2.requests() == 7);
        leaving.close();

        List<JsonNode> lines = new ArrayList<>();
        for (String line : awaitLines(file, 11)) {
            lines.add(JSON.readTree(line));
        }
        assertThat(lines).hasSize(11);
        Map<Integer, Integer> byStatus = new TreeMap<>();
        lines.forEach(l -> byStatus.merge(l.get("status").asInt(), 1, Integer::sum));
        assertThat(byStatus).isEqualTo(Map.of(200, 6, 404, 1, 429, 1, 502, 1, 400, 1, 499, 1));
        for (JsonNode l : lines) {
            assertThat(l.size()).isEqualTo(20);
            assertThat(l.get("client").asText()).isEqualTo("127.0.0.1");
            assertThat(Duration.between(Instant.parse(l.get("time").asText()), Instant.now()).abs())
                    .isLessThan(Duration.ofMinutes(1));
            assertThat(l.get("duration").isNumber()).isTrue();
        }

        JsonNode proxied = lines.get(0);
        assertThat(proxied.get("method").asText()).isEqualTo("GET");
        assertThat(proxied.get("host").asText()).isEqualTo("web.test");
        assertThat(proxied.get("uri").asText()).as("as the client sent it").isEqualTo("/app/x?q=1&r=%22");
        assertThat(proxied.get("protocol").asText()).isEqualTo("HTTP/1.1");
        assertThat(proxied.get("bytes_in").asLong()).isEqualTo(first.length());
        assertThat(proxied.get("bytes_out").asLong()).isPositive();
        assertThat(proxied.get("upstream").asText()).isEqualTo("web");
        assertThat(proxied.get("server").asText()).isIn(web1.address(), web2.address());
        assertThat(proxied.get("upstream_response_time").isNumber()).isTrue();
        assertThat(proxied.get("attempts").asInt()).isEqualTo(1);
        assertThat(proxied.get("route").asText()).isEqualTo("web.test/app");
        assertThat(proxied.get("user_agent").asText()).isEqualTo("probe \"quoted\" caf\u00e9");
        assertThat(proxied.get("referer").asText()).isEqualTo("https://ref.test/a");
        assertThat(proxied.get("local").isNull()).isTrue();
        assertThat(proxied.get("tls").isNull()).isTrue();

        JsonNode noRoute = only(lines, 404);
        assertThat(noRoute.get("local").asText()).isEqualTo("no_route");
        assertThat(noRoute.get("route").isNull()).isTrue();
        assertThat(noRoute.get("upstream").isNull()).isTrue();
        assertThat(noRoute.get("server").isNull()).isTrue();
        assertThat(noRoute.get("upstream_response_time").isNull()).isTrue();
        assertThat(noRoute.get("attempts").asInt()).isZero();
        assertThat(only(lines, 429).get("local").asText()).isEqualTo("rate_limited");
        assertThat(only(lines, 429).get("route").asText()).isEqualTo("limited");
        JsonNode badGateway = only(lines, 502);
        assertThat(badGateway.get("local").asText()).isEqualTo("bad_gateway");
        assertThat(badGateway.get("method").asText()).isEqualTo("POST");
        assertThat(badGateway.get("server").asText()).isEqualTo(deadAddress);
        assertThat(badGateway.get("attempts").asInt()).isEqualTo(1);
        assertThat(only(lines, 400).get("local").asText()).isEqualTo("bad_request");
        JsonNode left = only(lines, 499);
        assertThat(left.get("uri").asText()).isEqualTo("/app/delay?ms=3000");
        assertThat(left.get("local").isNull()).isTrue();
        assertThat(lines).filteredOn(l -> l.get("protocol").asText().equals("HTTP/2.0")).singleElement()
                .satisfies(l -> assertThat(l.get("uri").asText()).isEqualTo("/app/h2"));

        Scrape m = Scrape.of(proxy.bascule().adminAddress());
        assertThat(m.value("bascule_access_log_dropped_total")).isZero();
    }

    private static JsonNode only(List<JsonNode> lines, int status) {
        List<JsonNode> found = lines.stream().filter(l -> l.get("status").asInt() == status).toList();
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    @Test
    void combinedLinesAreWhatApacheLogParsersRead() throws Exception {
        Path file = dir.resolve("combined.log");
        proxy = ProxyUnderTest.start(config("{ to: " + file + ", format: combined }"), 1);
        RawHttp c = client();
        c.exchange("GET /app/a?b=1 HTTP/1.1\r\nHost: web.test\r\nUser-Agent: curl/8.5.0\r\n"
                + "Referer: http://ref.test/\r\n\r\n");
        c.exchange("GET /x HTTP/1.1\r\nHost: nowhere.test\r\nUser-Agent: a \"b\" \\c\r\n\r\n");
        c.send("HEAD /app/ HTTP/1.1\r\nHost: web.test\r\n\r\n").read(true);

        List<String> lines = awaitLines(file, 3);
        assertThat(lines).hasSize(3);
        List<Matcher> parsed = new ArrayList<>();
        for (String line : lines) {
            Matcher m = CombinedFormatTest.COMBINED.matcher(line + "\n");
            assertThat(m.matches()).as(line).isTrue();
            parsed.add(m);
        }
        assertThat(parsed.get(0).group(1)).isEqualTo("127.0.0.1");
        assertThat(parsed.get(0).group(3)).isEqualTo("GET /app/a?b=1 HTTP/1.1");
        assertThat(parsed.get(0).group(4)).isEqualTo("200");
        assertThat(parsed.get(0).group(5)).matches("\\d+");
        assertThat(parsed.get(0).group(6)).isEqualTo("http://ref.test/");
        assertThat(parsed.get(0).group(7)).isEqualTo("curl/8.5.0");
        assertThat(parsed.get(1).group(3)).isEqualTo("GET /x HTTP/1.1");
        assertThat(parsed.get(1).group(4)).isEqualTo("404");
        assertThat(parsed.get(1).group(6)).isEqualTo("-");
        assertThat(parsed.get(1).group(7)).isEqualTo("a \\x22b\\x22 \\x5Cc");
        assertThat(parsed.get(2).group(3)).isEqualTo("HEAD /app/ HTTP/1.1");
    }

    @Test
    void aReloadKeepsAnUnchangedLogAndSwitchesAChangedOne() throws Exception {
        Path first = dir.resolve("first.log");
        Path renamed = dir.resolve("first.log.1");
        Path second = dir.resolve("second.log");
        proxy = ProxyUnderTest.start(config("{ to: " + first + " }"), 1);
        RawHttp c = client();
        c.exchange("GET /app/1 HTTP/1.1\r\nHost: web.test\r\n\r\n");
        awaitLines(first, 1);

        Files.move(first, renamed);
        reload(config("{ to: " + first + " }"));
        c.exchange("GET /app/2 HTTP/1.1\r\nHost: web.test\r\n\r\n");
        assertThat(awaitLines(renamed, 2)).as("the same log, still open on the renamed file").hasSize(2);

        String unopenable = config("{ to: " + dir.resolve("no/such/folder.log") + " }");
        assertThatThrownBy(() -> reload(unopenable)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ConfigException.class)
                .hasMessageContaining("test.yaml:3:19: access_log " + dir.resolve("no/such/folder.log")
                        + ": cannot open it for appending: no such folder");
        c.exchange("GET /app/3 HTTP/1.1\r\nHost: web.test\r\n\r\n");
        assertThat(awaitLines(renamed, 3)).as("a refused reload changes nothing").hasSize(3);

        reload(config("{ to: " + second + " }"));
        c.exchange("GET /app/4 HTTP/1.1\r\nHost: web.test\r\n\r\n");
        assertThat(awaitLines(second, 1).get(0)).contains("\"uri\":\"/app/4\"");
        assertThat(lines(renamed)).hasSize(3);
        assertThat(first).doesNotExist();
    }

    private void reload(String yaml) throws Exception {
        proxy.bascule().control().reload(ProxyUnderTest.parse(yaml)).get();
    }
}
