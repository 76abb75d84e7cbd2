package dev.bascule.admin;

import static dev.bascule.admin.AdminUnderTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.RawHttp;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the dashboard needs of the admin API, over real sockets: the page and its files (content types, caching,
 * a strict Content-Security-Policy, no token needed), {@code GET /stats} and {@code GET /events}.
 */
@ExtendWith(LeakGuard.class)
class DashboardEndpointsTest {
    private static final Pattern LINKED = Pattern.compile("(?:src|href)=\"(/[^\"]*)\"");

    @TempDir
    Path dir;
    private AdminUnderTest t;

    @AfterEach
    void stop() {
        if (t != null) {
            t.close();
        }
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + t.address.getPort() + path))
                .timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            req.headers(headers);
        }
        return t.client.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void thePageAndEveryFileItLinksAreServedFromTheJarWithAStrictPolicy() throws Exception {
        t = new AdminUnderTest();
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("cache-control")).hasValue("no-cache");
        assertThat(page.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        String csp = page.headers().firstValue("content-security-policy").orElseThrow();
        assertThat(csp).contains("default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
                "frame-ancestors 'none'").doesNotContain("unsafe-inline", "unsafe-eval", "http:", "https:");
        assertThat(page.body()).doesNotContain("<script>", "style=\"", "http://", "https://")
                .doesNotContainPattern(" on[a-z]+=");
        Matcher scripts = Pattern.compile("<script[^>]*>").matcher(page.body());
        while (scripts.find()) {
            assertThat(scripts.group()).as("no inline script").contains(" src=\"/");
        }

        List<String> linked = new ArrayList<>();
        Matcher m = LINKED.matcher(page.body());
        while (m.find()) {
            linked.add(m.group(1));
        }
        assertThat(linked).contains("/favicon.svg", "/dashboard/app.js", "/dashboard/app.css",
                "/dashboard/vendor/uplot-1.6.32/uPlot.iife.min.js", "/dashboard/vendor/uplot-1.6.32/uPlot.min.css");
        for (String path : linked) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            String type = r.headers().firstValue("content-type").orElseThrow();
            if (path.endsWith(".js")) {
                assertThat(type).isEqualTo("text/javascript; charset=utf-8");
            } else if (path.endsWith(".css")) {
                assertThat(type).isEqualTo("text/css; charset=utf-8");
            } else if (path.endsWith(".svg")) {
                assertThat(type).isEqualTo("image/svg+xml");
            }
            assertThat(r.headers().firstValue("etag")).as(path).isPresent();
            assertThat(r.headers().firstValue("cache-control")).as(path)
                    .hasValue(path.contains("/vendor/uplot-1.6.32/") ? "public, max-age=31536000, immutable"
                            : "no-cache");
        }
        // The modules app.js imports, and the ones they import.
        List<String> modules = new ArrayList<>(List.of("/dashboard/app.js"));
        for (int i = 0; i < modules.size(); i++) {
            HttpResponse<String> module = get(modules.get(i));
            assertThat(module.statusCode()).as(modules.get(i)).isEqualTo(200);
            assertThat(module.headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
            Matcher imported = Pattern.compile("from '\\./([a-z]+\\.js)'").matcher(module.body());
            while (imported.find()) {
                String path = "/dashboard/" + imported.group(1);
                if (!modules.contains(path)) {
                    modules.add(path);
                }
            }
        }
        assertThat(modules).contains("/dashboard/api.js", "/dashboard/charts.js", "/dashboard/tables.js");
        assertThat(get("/favicon.ico").statusCode()).isEqualTo(200);
        assertThat(get("/dashboard/vendor/uplot-1.6.32/LICENSE").statusCode()).as("only the listed files")
                .isEqualTo(404);
    }

    @Test
    void aCurrentCopyIsRevalidatedWithA304() throws Exception {
        t = new AdminUnderTest();
        HttpResponse<String> first = get("/dashboard/app.js");
        String etag = first.headers().firstValue("etag").orElseThrow();
        try (RawHttp raw = t.raw()) {
            RawHttp.Response same = raw.exchange("GET /dashboard/app.js HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "If-None-Match: \"other\", W/" + etag + "\r\n\r\n");
            assertThat(same.status()).isEqualTo(304);
            assertThat(same.body()).isEmpty();
            assertThat(same.header("etag")).isEqualTo(etag);
            assertThat(same.header("content-length")).isNull();
            RawHttp.Response changed = raw.exchange("GET /dashboard/app.js HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "If-None-Match: \"not-it\"\r\n\r\n");
            assertThat(changed.status()).isEqualTo(200);
            assertThat(changed.bodyText()).isEqualTo(first.body());
        }
    }

    @Test
    void thePageNeedsNoTokenButTheDataItShowsDoesAndTheHostCheckStillApplies() throws Exception {
        String token = "dashboard-Token_0123456789";
        Path file = dir.resolve("admin.token");
        Files.writeString(file, token + "\n");
        t = new AdminUnderTest("""
                admin:
                  address: 127.0.0.1:9901
                  token_file: '%s'
                """.formatted(file));
        for (String path : List.of("/", "/dashboard/app.js", "/dashboard/app.css", "/favicon.svg", "/favicon.ico",
                "/dashboard/vendor/uplot-1.6.32/uPlot.iife.min.js")) {
            assertThat(get(path).statusCode()).as(path).isEqualTo(200);
        }
        for (String path : List.of("/status", "/stats?window=30s", "/events", "/dashboard/missing.js")) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.headers().firstValue("www-authenticate")).as(path).isPresent();
        }
        assertThat(get("/stats?window=30s", "Authorization", "Bearer " + token).statusCode()).isEqualTo(200);
        assertThat(get("/events", "Authorization", "Bearer " + token).statusCode()).isEqualTo(200);
        try (RawHttp raw = t.raw()) {
            assertThat(raw.exchange("GET / HTTP/1.1\r\nHost: rebound.example\r\n\r\n").status())
                    .as("DNS rebinding is refused for the page too").isEqualTo(403);
        }
        HttpResponse<String> post = t.send("POST", "/", null);
        assertThat(post.statusCode()).as("only GET is exempt from the token").isEqualTo(401);
    }

    @Test
    void statsServesTheRingShapedForCharts() throws Exception {
        t = new AdminUnderTest();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> json(get("/stats?window=30s")).get("time").size() >= 1);
        JsonNode stats = json(get("/stats?window=15m"));
        assertThat(stats.get("interval_s").asDouble()).isEqualTo(1.0);
        assertThat(stats.get("capacity_s").asInt()).isEqualTo(900);
        int samples = stats.get("time").size();
        assertThat(stats.get("time").get(0).asDouble()).isGreaterThan(1.7e9); // Unix seconds
        assertThat(stats.get("total").get("requests")).hasSize(samples);
        assertThat(stats.get("total").get("p99_ms").get(0).isNull()).as("no request finished").isTrue();
        List<String> upstreams = new ArrayList<>();
        stats.get("upstreams").forEach(u -> upstreams.add(u.get("upstream").asText()));
        assertThat(upstreams).containsExactly("web-blue", "web-green");
        List<String> servers = new ArrayList<>();
        stats.get("servers").forEach(s -> {
            servers.add(s.get("upstream").asText() + " " + s.get("address").asText());
            assertThat(s.get("requests")).hasSize(samples);
            assertThat(s.get("requests").get(0).asLong()).isZero();
        });
        assertThat(servers).containsExactly("web-blue " + t.blue1.address(), "web-blue " + t.blue2.address(),
                "web-green " + t.green1.address());
        List<String> routes = new ArrayList<>();
        stats.get("routes").forEach(r -> {
            routes.add(r.get("route").asText() + " -> " + r.get("upstream").asText());
            assertThat(r.fieldNames()).toIterable().contains("2xx", "3xx", "4xx", "5xx", "p50_ms", "p99_ms");
        });
        assertThat(routes).containsExactly("green.labs.test -> web-green", "/ -> web-blue", " -> ");

        double last = stats.get("time").get(samples - 1).asDouble();
        JsonNode since = json(get("/stats?window=30s&since=" + last));
        assertThat(since.get("time")).as("nothing after the newest sample yet, or only newer ones")
                .allMatch(time -> time.asDouble() > last);
    }

    @Test
    void statsRefusesWindowsItDoesNotKeep() throws Exception {
        t = new AdminUnderTest();
        for (String query : List.of("window=1h", "window=", "window=30", "since=yesterday", "window=5m&window=15m",
                "span=5m", "since=NaN")) {
            HttpResponse<String> r = get("/stats?" + query);
            assertThat(r.statusCode()).as(query).isEqualTo(400);
            assertThat(json(r).get("error").asText()).as(query).isNotBlank();
        }
        assertThat(json(get("/stats?window=1h")).get("error").asText())
                .isEqualTo("window must be one of 30s, 5m, 15m; got '1h'");
        for (String query : List.of("window=30s", "window=5m", "window=15m", "", "window=30s&since=0")) {
            assertThat(get("/stats?" + query).statusCode()).as(query).isEqualTo(200);
        }
        assertThat(t.send("POST", "/stats", null).statusCode()).isEqualTo(405);
    }

    @Test
    void eventsListTheLastTransitionsNewestFirst() throws Exception {
        t = new AdminUnderTest();
        assertThat(json(get("/events")).get("events")).isEmpty();
        String server = t.blue2.address();
        assertThat(t.send("POST", "/upstreams/web-blue/servers/" + server + "/drain", null).statusCode())
                .isEqualTo(200);
        assertThat(t.send("POST", "/upstreams/web-blue/servers/" + server + "/undrain", null).statusCode())
                .isEqualTo(200);
        JsonNode events = json(get("/events")).get("events");
        assertThat(events).hasSize(2);
        JsonNode newest = events.get(0);
        assertThat(newest.get("sequence").asLong()).isEqualTo(2);
        assertThat(newest.get("kind").asText()).isEqualTo("drain");
        assertThat(newest.get("upstream").asText()).isEqualTo("web-blue");
        assertThat(newest.get("server").asText()).isEqualTo(server);
        assertThat(newest.get("from").asText()).isEqualTo("draining");
        assertThat(newest.get("to").asText()).isEqualTo("healthy");
        assertThat(newest.get("reason").asText()).isEqualTo("undrained through the admin API");
        assertThat(newest.get("at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,3})?Z");
        assertThat(events.get(1).get("to").asText()).isEqualTo("draining");
    }
}
