package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.balance.Balancers;
import dev.bascule.config.ConfigLoader;
import dev.bascule.control.StatusReport;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.Scrape;
import dev.bascule.testing.TestOrigin;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code GET /metrics} on the admin API of a real Bascule: after known traffic, a drain, an ejection, a queued
 * request and two reloads (one rejected), every metric read from the running state has exactly the expected
 * value, and what a reload removed is gone from the output.
 */
@ExtendWith(LeakGuard.class)
class MetricsTest {
    private static final HttpClient ADMIN = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final List<AutoCloseable> closeLast = new ArrayList<>();
    private TestOrigin blue1;
    private TestOrigin blue2;
    private TestOrigin slow;
    private TestOrigin steady;
    private TestOrigin failing;
    /** What {@code POST /reload} reads next. */
    private volatile String configText;
    private Bascule bascule;

    @BeforeEach
    void start() throws Exception {
        blue1 = origin("blue-01");
        blue2 = origin("blue-02");
        slow = origin("slow");
        steady = origin("steady");
        failing = origin("failing");
        configText = config(true);
        ConfigLoader loader = new ConfigLoader(Balancers.standard().names());
        bascule = Bascule.start(loader.parse(configText, "metrics.yaml"), 2,
                () -> loader.parse(configText, "metrics.yaml"));
    }

    @AfterEach
    void stop() throws Exception {
        if (bascule != null) {
            bascule.close();
        }
        for (AutoCloseable c : closeLast) {
            c.close();
        }
    }

    private TestOrigin origin(String name) throws Exception {
        TestOrigin o = TestOrigin.start(name);
        closeLast.add(o);
        return o;
    }

    /** @param full with blue-02 and the {@code limited} upstream; without them is what the reload leaves */
    private String config(boolean full) {
        String blue2Line = full ? "\n      - { address: " + blue2.address() + " }" : "";
        String limited = full ? """
                  limited:
                    servers: [ { address: %s, max_connections: 1 } ]
                    queue: { size: 10, timeout: 10s }
                """.formatted(slow.address()) : "";
        String limitedRoute = full ? """
                  - match: { host: limited.test }
                    upstream: limited
                """ : "";
        return """
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                admin:
                  address: 127.0.0.2:0
                upstreams:
                  web-blue:
                    servers:
                      - { address: %s }%s
                  flaky:
                    servers: [ { address: %s }, { address: %s } ]
                    passive: { consecutive_failures: 1, base_ejection: 5m, max_ejected_percent: 50 }
                %sroutes:
                  - match: { host: flaky.test }
                    upstream: flaky
                %s  - match: { path_prefix: / }
                    upstream: web-blue
                """.formatted(blue1.address(), blue2Line, steady.address(), failing.address(), limited,
                limitedRoute);
    }

    private InetSocketAddress admin() {
        return bascule.adminAddress();
    }

    private HttpResponse<String> post(String path) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(Scrape.base(admin()) + path))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        return ADMIN.send(req, HttpResponse.BodyHandlers.ofString());
    }

    private RawHttp client() throws Exception {
        RawHttp c = new RawHttp(bascule.listenerAddresses().get(0));
        closeLast.add(0, c); // closed before the proxy and the origins
        return c;
    }

    private static String get(String host, String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
    }

    @Test
    void everyMetricReadFromTheRunningStateIsExact() throws Exception {
        // Four requests on one keep-alive connection: round robin gives each blue server two.
        RawHttp keepAlive = client();
        for (int i = 0; i < 4; i++) {
            assertThat(keepAlive.exchange(get("blue.test", "/")).status()).isEqualTo(200);
        }
        assertThat(blue1.requests()).isEqualTo(2);
        assertThat(blue2.requests()).isEqualTo(2);
        // The first 500 from "failing" ejects it (consecutive_failures: 1); "steady" stays. Round robin reaches it
        // within two requests; none is sent after it, so the ejection may land when it will.
        failing.failWith(500);
        for (int i = 0; i < 2 && failing.requests() == 0; i++) {
            keepAlive.exchange(get("flaky.test", "/"));
        }
        assertThat(failing.requests()).isEqualTo(1);
        // Drain blue-02.
        assertThat(post("/upstreams/web-blue/servers/" + blue2.address() + "/drain").statusCode()).isEqualTo(200);
        // The limited upstream's one connection is busy: the next request waits in its queue.
        RawHttp holder = client().send(get("limited.test", "/delay?ms=4000"));
        await().atMost(Duration.ofSeconds(5)).until(() -> slow.requests() == 1);
        RawHttp queued = client().send(get("limited.test", "/"));

        Scrape m = awaitScrape(s -> Double.valueOf(1).equals(s.value("bascule_upstream_queue_length",
                "upstream", "limited")) && Double.valueOf(1).equals(s.value("bascule_ejections_total",
                "upstream", "flaky", "server", failing.address())));

        assertThat(m.value("bascule_upstream_queue_length", "upstream", "web-blue")).isEqualTo(0);
        assertThat(m.value("bascule_upstream_queue_length", "upstream", "flaky")).isEqualTo(0);
        assertThat(m.all("bascule_upstream_queue_length")).hasSize(3);

        assertThat(m.value("bascule_server_up", "upstream", "web-blue", "server", blue1.address())).isEqualTo(1);
        assertThat(m.value("bascule_server_up", "upstream", "web-blue", "server", blue2.address())).isEqualTo(0);
        assertThat(m.value("bascule_server_up", "upstream", "flaky", "server", steady.address())).isEqualTo(1);
        assertThat(m.value("bascule_server_up", "upstream", "flaky", "server", failing.address())).isEqualTo(0);
        assertThat(m.value("bascule_server_up", "upstream", "limited", "server", slow.address())).isEqualTo(1);
        assertThat(m.all("bascule_server_up")).hasSize(5);

        assertOnlyState(m, "web-blue", blue1.address(), "healthy");
        assertOnlyState(m, "web-blue", blue2.address(), "draining");
        assertOnlyState(m, "flaky", steady.address(), "healthy");
        assertOnlyState(m, "flaky", failing.address(), "ejected");
        assertOnlyState(m, "limited", slow.address(), "healthy");
        assertThat(m.all("bascule_server_state")).hasSize(5 * 4);

        assertThat(m.value("bascule_server_in_flight", "upstream", "web-blue", "server", blue1.address())).isZero();
        assertThat(m.value("bascule_server_in_flight", "upstream", "web-blue", "server", blue2.address())).isZero();
        assertThat(m.value("bascule_server_in_flight", "upstream", "flaky", "server", steady.address())).isZero();
        // The held request is in flight on the slow server; the queued one has no server yet.
        assertThat(m.value("bascule_server_in_flight", "upstream", "limited", "server", slow.address()))
                .isEqualTo(1);

        assertThat(m.value("bascule_ejections_total", "upstream", "flaky", "server", steady.address())).isZero();
        assertThat(m.value("bascule_ejections_total", "upstream", "web-blue", "server", blue1.address())).isZero();

        // The held request's connection (max_connections: 1); blue-01 keeps the one connection its two requests
        // used, idle in the pool of the keep-alive connection's event loop.
        assertThat(m.value("bascule_upstream_connections_open", "upstream", "limited", "server", slow.address()))
                .isEqualTo(1);
        assertThat(m.value("bascule_upstream_connections_open", "upstream", "web-blue", "server", blue1.address()))
                .isEqualTo(1);
        assertThat(blue1.openConnections()).isEqualTo(1);

        // The keep-alive connection, the holder and the queued request.
        assertThat(m.value("bascule_client_connections_open", "listener", "public", "protocol", "http1"))
                .isEqualTo(3);
        assertThat(m.value("bascule_client_connections_open", "listener", "public", "protocol", "h2")).isZero();
        assertThat(m.value("bascule_client_connections_accepted_total", "listener", "public", "protocol", "http1"))
                .isEqualTo(3);

        assertThat(m.value("bascule_config_version")).isEqualTo(1);
        assertThat(m.value("bascule_config_reloads_total", "result", "ok")).isZero();
        assertThat(m.value("bascule_config_reloads_total", "result", "rejected")).isZero();
        assertThat(m.value("bascule_build_info", "version", buildVersion(), "java",
                System.getProperty("java.version"))).isEqualTo(1);

        assertThat(m.value("jvm_memory_used_bytes", "area", "heap")).isPositive();
        assertThat(m.value("jvm_threads_current")).isPositive();
        assertThat(m.value("process_open_fds")).isPositive();
        assertThat(m.value("process_cpu_seconds_total")).isNotNull();

        assertThat(holder.read(false).status()).isEqualTo(200);
        assertThat(queued.read(false).status()).isEqualTo(200);

        // A file that does not parse is rejected and counted; the running config stays.
        configText = "listeners: [";
        assertThat(post("/reload").statusCode()).isEqualTo(400);
        // A good one without blue-02 and without the limited upstream.
        configText = config(false);
        HttpResponse<String> reloaded = post("/reload");
        assertThat(reloaded.statusCode()).isEqualTo(200);

        Scrape after = Scrape.of(admin());
        assertThat(after.value("bascule_config_version")).isEqualTo(2);
        assertThat(after.value("bascule_config_reloads_total", "result", "ok")).isEqualTo(1);
        assertThat(after.value("bascule_config_reloads_total", "result", "rejected")).isEqualTo(1);
        assertThat(after.text()).doesNotContain(blue2.address()).doesNotContain(slow.address())
                .doesNotContain("\"limited\"");
        assertThat(after.all("bascule_server_up")).hasSize(3);
        assertThat(after.all("bascule_upstream_queue_length")).hasSize(2);
        assertThat(after.value("bascule_server_up", "upstream", "web-blue", "server", blue1.address()))
                .isEqualTo(1);
        // Server state outlives the reload: failing is still ejected, once.
        assertOnlyState(after, "flaky", failing.address(), "ejected");
        assertThat(after.value("bascule_ejections_total", "upstream", "flaky", "server", failing.address()))
                .isEqualTo(1);
    }

    @Test
    void aServerRemovedThroughTheApiLeavesTheOutputOnceGone() throws Exception {
        assertThat(Scrape.of(admin()).value("bascule_server_in_flight", "upstream", "web-blue", "server",
                blue2.address())).isZero();

        HttpRequest delete = HttpRequest.newBuilder(URI.create(Scrape.base(admin()) + "/upstreams/web-blue/servers/" + blue2.address()))
                .timeout(Duration.ofSeconds(10))
                .DELETE()
                .build();
        assertThat(ADMIN.send(delete, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(5)).until(() -> !Scrape.of(admin()).text().contains(blue2.address()));
        assertThat(Scrape.of(admin()).value("bascule_server_up", "upstream", "web-blue", "server", blue1.address()))
                .isEqualTo(1);
    }

    @Test
    void theDefaultFormatIsPrometheusText() throws Exception {
        HttpResponse<String> r = Scrape.get(admin(), null);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(r.body()).contains("# TYPE bascule_build_info gauge\n").doesNotContain("# EOF");
    }

    @Test
    void openMetricsIsAnsweredWhenTheScraperAsksForIt() throws Exception {
        HttpResponse<String> r = Scrape.get(admin(), "application/openmetrics-text; version=1.0.0; charset=utf-8");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type"))
                .hasValue("application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(r.body()).contains("# TYPE bascule_build info\n").endsWith("# EOF\n");
    }

    @Test
    void prometheusAskingForProtobufFirstGetsTheTextFormat() throws Exception {
        // What Prometheus sends with native histograms on: protobuf first, which this build does not write.
        HttpResponse<String> r = Scrape.get(admin(), "application/vnd.google.protobuf;"
                + "proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,"
                + "text/plain;version=0.0.4;q=0.3,*/*;q=0.2");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(r.body()).contains("bascule_config_version 1.0\n");
    }

    @Test
    void metricsAreReadOnly() throws Exception {
        HttpResponse<String> r = post("/metrics");

        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("allow")).hasValue("GET, HEAD");
    }

    @Test
    void theReadmeListsEveryBasculeMetricWithItsTypeAndLabelsAsExported() throws Exception {
        // A counter with no sample yet has no TYPE line: one proxied request fills the request counters.
        assertThat(client().exchange(get("blue.test", "/")).status()).isEqualTo(200);
        Scrape m = awaitScrape(s -> s.value("bascule_requests_total", "listener", "public", "route", "/",
                "upstream", "web-blue", "code", "200") != null);
        Map<String, String> exportedTypes = new TreeMap<>();
        Map<String, Set<String>> exportedLabels = new TreeMap<>();
        Matcher type = Pattern.compile("(?m)^# TYPE (bascule_\\w+) (\\w+)$").matcher(m.text());
        while (type.find()) {
            exportedTypes.put(type.group(1), type.group(2));
            Set<String> labels = new TreeSet<>();
            String sampled = type.group(2).equals("histogram") ? type.group(1) + "_count" : type.group(1);
            m.all(sampled).forEach(sample -> labels.addAll(sample.labels().keySet()));
            exportedLabels.put(type.group(1), labels);
        }

        String readme = Files.readString(Path.of("README.md"));
        String section = readme.substring(readme.indexOf("\n## Metrics\n"));
        Map<String, String> documentedTypes = new TreeMap<>();
        Map<String, Set<String>> documentedLabels = new TreeMap<>();
        Matcher row = Pattern.compile("(?m)^\\| `(bascule_\\w+)` \\| (\\w+)[^|]*\\|([^|]*)\\|").matcher(section);
        while (row.find()) {
            // an info metric is a gauge of 1 in the text format
            documentedTypes.put(row.group(1), row.group(2).equals("info") ? "gauge" : row.group(2));
            Set<String> labels = new TreeSet<>();
            Matcher label = Pattern.compile("`(\\w+)`").matcher(row.group(3).split(":")[0]);
            while (label.find()) {
                labels.add(label.group(1));
            }
            documentedLabels.put(row.group(1), labels);
        }

        // gRPC calls are the one kind of traffic this test does not send, and its config has no split route
        // (SplitsTest scrapes bascule_route_split_weight, RolloutTest bascule_rollouts_total).
        for (String absent : List.of("bascule_grpc_responses_total", "bascule_route_split_weight",
                "bascule_rollouts_total")) {
            documentedTypes.remove(absent);
            documentedLabels.remove(absent);
        }
        // nor does its config mirror (MirrorTest checks the mirror's rows against a proxy that does)
        documentedTypes.keySet().removeIf(name -> name.startsWith("bascule_mirror_"));
        documentedLabels.keySet().removeIf(name -> name.startsWith("bascule_mirror_"));
        assertThat(documentedTypes).isEqualTo(exportedTypes);
        assertThat(documentedLabels).isEqualTo(exportedLabels);
    }

    private static void assertOnlyState(Scrape m, String upstream, String server, String state) {
        for (String each : StatusReport.STATES) {
            assertThat(m.value("bascule_server_state", "upstream", upstream, "server", server, "state", each))
                    .as("%s %s state %s", upstream, server, each)
                    .isEqualTo(each.equals(state) ? 1 : 0);
        }
    }

    private Scrape awaitScrape(java.util.function.Predicate<Scrape> ready) {
        Scrape[] last = new Scrape[1];
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            last[0] = Scrape.of(admin());
            return ready.test(last[0]);
        });
        return last[0];
    }

    private static String buildVersion() throws Exception {
        Properties p = new Properties();
        try (InputStream in = Bascule.class.getResourceAsStream("version.properties")) {
            p.load(in);
        }
        return p.getProperty("version");
    }
}
