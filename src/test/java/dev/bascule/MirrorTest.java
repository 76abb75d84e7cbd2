package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bascule.testing.AdminClient;
import dev.bascule.testing.H2Origin;
import dev.bascule.testing.H2cClient;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.LoadLoop;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.RefusingPort;
import dev.bascule.testing.Scrape;
import dev.bascule.testing.TestOrigin;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Request mirroring end to end: real origins, a real proxy on two event loops, clients over real sockets. The
 * route {@code /api} goes to blue and copies a share of its requests to green; {@code /plain} goes to blue
 * without a mirror, as the yardstick in the same test.
 */
@ExtendWith(LeakGuard.class)
class MirrorTest {
    private TestOrigin blue;
    private TestOrigin green;
    private ProxyUnderTest proxy;
    /** A port nothing listens on, held for the test that needs one. */
    private RefusingPort refusing;

    @BeforeEach
    void origins() throws Exception {
        blue = TestOrigin.start("blue");
        green = TestOrigin.start("green");
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        blue.close();
        green.close();
        if (refusing != null) {
            refusing.close();
        }
    }

    /** Starts the proxy with blue and green upstreams and the given routes (and extra upstream keys for green). */
    private void start(String greenExtra, String routes) throws Exception {
        proxy = ProxyUnderTest.start("""
                listeners: [ { name: public, address: 127.0.0.1:0, protocols: [ http1, h2c ] } ]
                admin: { address: 127.0.0.2:0 }
                upstreams:
                  web-blue:
                    servers: [ { address: %s } ]
                    passive: { consecutive_failures: 1 }
                  web-green:
                    servers: [ { address: %s } ]
                    passive: { consecutive_failures: 1 }
                %s
                routes:
                %s
                """.formatted(blue.address(), green.address(), greenExtra.indent(4).stripTrailing(),
                routes.indent(2).stripTrailing()), 2);
    }

    private Scrape scrape() throws Exception {
        return Scrape.of(proxy.bascule().adminAddress());
    }

    private double metric(String name, String... labels) throws Exception {
        Double v = scrape().value(name, labels);
        return v == null ? 0 : v;
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: labs.test\r\n\r\n";
    }

    /** Each request's time in milliseconds, one client connection, one request after another. */
    private List<Long> timeSequentially(String path, int n) throws Exception {
        List<Long> millis = new ArrayList<>(n);
        try (RawHttp c = proxy.raw()) {
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                RawHttp.Response r = c.exchange(get(path + "?i=" + i));
                millis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("x-origin")).as("the mirror's answer never reaches the client").isEqualTo("blue");
                assertThat(r.bodyText()).isEqualTo("blue");
            }
        }
        return millis;
    }

    private static long p99(List<Long> millis) {
        long[] sorted = millis.stream().mapToLong(Long::longValue).sorted().toArray();
        return sorted[(int) Math.ceil(sorted.length * 0.99) - 1];
    }

    @Test
    void aMirrorThatTakesASecondDelaysNoClientAndGetsExactlyOneRequestInTen() throws Exception {
        green.delayEvery(1000);
        start("", """
                - match: { path_prefix: /api }
                  upstream: web-blue
                  mirror: { upstream: web-green, percent: 10, max_in_flight: 100 }
                - match: { path_prefix: /plain }
                  upstream: web-blue
                """);
        int n = 300;

        List<Long> plain = timeSequentially("/plain", n);
        assertThat(green.requests()).isZero();
        List<Long> mirrored = timeSequentially("/api/x", n);

        // The 10th, 20th ... request is copied: exactly 30 of 300, each answered by green a second later. Had a
        // client waited for the mirror, each of those would have taken over a second.
        for (int i = 9; i < n; i += 10) {
            assertThat(mirrored.get(i)).as("mirrored request %d took %d ms", i, mirrored.get(i)).isLessThan(900);
        }
        assertThat(p99(mirrored)).as("p99 with the mirror vs without: %s vs %s", p99(mirrored), p99(plain))
                .isLessThan(p99(plain) + 250);
        await().atMost(Duration.ofSeconds(10)).until(() -> green.requests() == n / 10);
        List<String> copied = green.recorded().stream().map(TestOrigin.Recorded::uri).sorted().toList();
        List<String> expected = new ArrayList<>();
        for (int i = 9; i < n; i += 10) {
            expected.add("/api/x?i=" + i);
        }
        assertThat(copied).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(blue.requests()).isEqualTo(2 * n);

        // A copy is the request as blue got it: same Host, same X-Request-Id, same forwarding headers.
        for (TestOrigin.Recorded copy : green.recorded()) {
            TestOrigin.Recorded real = blue.recorded().stream().filter(r -> r.uri().equals(copy.uri())).findFirst()
                    .orElseThrow();
            assertThat(copy.headers().get("host")).isEqualTo("labs.test");
            assertThat(copy.headers().get("x-request-id")).isNotEmpty().isEqualTo(real.headers().get("x-request-id"));
            assertThat(copy.headers().get("x-forwarded-for")).isEqualTo(real.headers().get("x-forwarded-for"));
            assertThat(copy.method()).isEqualTo("GET");
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> metric("bascule_mirror_in_flight",
                "route", "/api", "upstream", "web-green") == 0);
        Scrape s = scrape();
        assertThat(s.value("bascule_mirror_requests_total", "route", "/api", "upstream", "web-green")).isEqualTo(30.0);
        assertThat(s.value("bascule_mirror_responses_total", "route", "/api", "upstream", "web-green", "code", "200"))
                .isEqualTo(30.0);
        assertThat(s.value("bascule_mirror_dropped_total", "route", "/api", "upstream", "web-green")).isEqualTo(0.0);
        assertThat(s.value("bascule_mirror_requests_total", "route", "/plain", "upstream", "web-green"))
                .as("a route without a mirror has no mirror series").isNull();
        // Copies are no upstream requests of green's: its counters and health never see them.
        assertThat(s.value("bascule_upstream_requests_total", "upstream", "web-green", "server", green.address(),
                "code", "200")).isNull();
        assertThat(s.value("bascule_server_in_flight", "upstream", "web-green", "server", green.address()))
                .isEqualTo(0.0);
        assertReadmeDocuments(s);
    }

    /**
     * Several client loops at once, each on its own keep-alive connection, against a mirrored route (10%, to a
     * mirror that answers a second late) and against the same upstream without a mirror, in alternating rounds so
     * both see the same machine. The clients' p99 with the mirror stays within twice the p99 without it (or 20 ms
     * more, for sub-millisecond p99s), no client request waits for a copy, and about one request in ten reaches the
     * mirror: exactly one in ten is chosen, and those not dropped (counted in {@code bascule_mirror_dropped_total},
     * none here with max_in_flight 1000) arrive.
     */
    @Test
    void underLoadFromSeveralLoopsTheMirrorLeavesTheClientsP99AloneAndGetsAboutOneRequestInTen() throws Exception {
        green.delayEvery(1000);
        start("", """
                - match: { path_prefix: /api }
                  upstream: web-blue
                  mirror: { upstream: web-green, percent: 10, max_in_flight: 1000 }
                - match: { path_prefix: /plain }
                  upstream: web-blue
                """);
        int loops = 4;
        int perLoop = 500;
        int rounds = 3;
        load("/plain/warm", loops, 100); // connections and the JIT warm, not timed
        load("/api/warm", loops, 100);
        List<Double> plain = new ArrayList<>();
        List<Double> mirrored = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            plain.addAll(load("/plain/x", loops, perLoop));
            mirrored.addAll(load("/api/x", loops, perLoop));
        }
        double p99Plain = p99Millis(plain);
        double p99Mirrored = p99Millis(mirrored);
        assertThat(p99Mirrored).as("client p99 with the mirror %.2f ms, without %.2f ms", p99Mirrored, p99Plain)
                .isLessThanOrEqualTo(Math.max(2 * p99Plain, p99Plain + 20));
        assertThat(mirrored.stream().mapToDouble(Double::doubleValue).max().orElseThrow())
                .as("no client waited for its copy's second").isLessThan(1000);

        int apiRequests = loops * 100 + rounds * loops * perLoop;
        await().atMost(Duration.ofSeconds(20)).until(() -> metric("bascule_mirror_in_flight",
                "route", "/api", "upstream", "web-green") == 0
                && green.requests() + metric("bascule_mirror_dropped_total", "route", "/api", "upstream",
                "web-green") == apiRequests / 10);
        double dropped = metric("bascule_mirror_dropped_total", "route", "/api", "upstream", "web-green");
        assertThat(dropped).as("max_in_flight is above what one second of copies holds").isZero();
        assertThat((double) green.requests() / apiRequests).as("share of requests that reached the mirror")
                .isBetween(0.07, 0.13);
        assertThat(metric("bascule_mirror_requests_total", "route", "/api", "upstream", "web-green"))
                .isEqualTo(green.requests());
        assertThat(green.recorded()).allSatisfy(copy -> assertThat(copy.uri()).startsWith("/api/"));
        assertThat(blue.requests()).isEqualTo(2 * apiRequests);
    }

    /** Runs {@code loops} client loops of {@code perLoop} GETs of {@code path} to the end; each request's ms. */
    private List<Double> load(String path, int loops, int perLoop) throws Exception {
        try (LoadLoop load = LoadLoop.timed(proxy.address(), get(path), loops, perLoop)) {
            assertThat(load.awaitDone(60_000)).as("the loops finished").isTrue();
            assertThat(load.failures()).isEmpty();
            assertThat(load.ok()).isEqualTo(loops * perLoop);
            return load.durationsNanos().stream().map(n -> n / 1e6).toList();
        }
    }

    private static double p99Millis(List<Double> millis) {
        double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[(int) Math.ceil(sorted.length * 0.99) - 1];
    }

    /** README's metrics table lists each mirror metric with the type and labels it is exported with. */
    private static void assertReadmeDocuments(Scrape s) throws Exception {
        Map<String, String> exported = new TreeMap<>();
        Matcher type = Pattern.compile("(?m)^# TYPE (bascule_mirror_\\w+) (\\w+)$").matcher(s.text());
        while (type.find()) {
            Set<String> labels = new TreeSet<>();
            s.all(type.group(1)).forEach(sample -> labels.addAll(sample.labels().keySet()));
            exported.put(type.group(1), type.group(2) + " " + labels);
        }
        String readme = Files.readString(Path.of("README.md"));
        Map<String, String> documented = new TreeMap<>();
        Matcher row = Pattern.compile("(?m)^\\| `(bascule_mirror_\\w+)` \\| (\\w+)[^|]*\\|([^|]*)\\|")
                .matcher(readme.substring(readme.indexOf("\n## Metrics\n")));
        while (row.find()) {
            Set<String> labels = new TreeSet<>();
            Matcher label = Pattern.compile("`(\\w+)`").matcher(row.group(3));
            while (label.find()) {
                labels.add(label.group(1));
            }
            documented.put(row.group(1), row.group(2) + " " + labels);
        }
        assertThat(exported).hasSize(4);
        assertThat(documented).isEqualTo(exported);
    }

    @Test
    void aBodyLargerThanTheReplayBufferIsNotMirroredAndTheRealRequestIsWhole() throws Exception {
        start("", """
                - match: { path_prefix: /api }
                  strip_prefix: true
                  upstream: web-blue
                  mirror: { upstream: web-green }
                """);
        byte[] small = pattern(1000);
        byte[] large = pattern(100 * 1024);
        try (RawHttp c = proxy.raw()) {
            RawHttp.Response r = c.exchange(post("/api/upload", small));
            assertThat(r.bodyText()).isEqualTo("1000");
            r = c.exchange(post("/api/upload", large));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).as("the real request is whole").isEqualTo(Integer.toString(large.length));
            assertThat(r.header("x-upload-crc32")).isEqualTo(crc(large));
            r = c.exchange(chunkedPost("/api/upload", small));
            assertThat(r.header("x-upload-crc32")).isEqualTo(crc(small));
        }
        // Over HTTP/2 too: the stream's body is copied whole.
        try (H2cClient h2 = new H2cClient(proxy.address())) {
            H2cClient.Response r = h2.send(HttpMethod.POST, "labs.test", "/api/upload", small)
                    .get(10, TimeUnit.SECONDS);
            assertThat(r.text()).isEqualTo("1000");
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> green.requests() == 3);
        assertThat(green.bytesUploaded()).as("three whole small bodies, nothing of the large one")
                .isEqualTo(3L * small.length);
        assertThat(green.recorded()).allSatisfy(copy -> assertThat(copy.uri()).isEqualTo("/upload"));
        await().atMost(Duration.ofSeconds(10)).until(() -> metric("bascule_mirror_in_flight",
                "route", "/api", "upstream", "web-green") == 0);
        Scrape s = scrape();
        assertThat(s.value("bascule_mirror_requests_total", "route", "/api", "upstream", "web-green")).isEqualTo(3.0);
        assertThat(s.value("bascule_mirror_dropped_total", "route", "/api", "upstream", "web-green")).isEqualTo(1.0);
    }

    @Test
    void copiesBeyondMaxInFlightAreDroppedAndCounted() throws Exception {
        green.delayEvery(60_000); // copies stay out for the whole test
        start("", """
                - match: { path_prefix: /api }
                  upstream: web-blue
                  mirror: { upstream: web-green, percent: 100, max_in_flight: 2 }
                """);
        List<Long> times = timeSequentially("/api/x", 10);

        await().atMost(Duration.ofSeconds(10)).until(() -> metric("bascule_mirror_dropped_total",
                "route", "/api", "upstream", "web-green") == 8);
        Scrape s = scrape();
        assertThat(s.value("bascule_mirror_requests_total", "route", "/api", "upstream", "web-green")).isEqualTo(2.0);
        assertThat(s.value("bascule_mirror_in_flight", "route", "/api", "upstream", "web-green")).isEqualTo(2.0);
        assertThat(green.requests()).isEqualTo(2);
        assertThat(times).allSatisfy(t -> assertThat(t).isLessThan(900));
    }

    @Test
    void aMirrorThatIsDownCostsTheClientNothingAndJudgesNobody() throws Exception {
        refusing = new RefusingPort();
        int closedPort = refusing.port();
        proxy = ProxyUnderTest.start("""
                listeners: [ { address: 127.0.0.1:0 } ]
                admin: { address: 127.0.0.2:0 }
                upstreams:
                  web-blue:
                    servers: [ { address: %s } ]
                    passive: { consecutive_failures: 1 }
                  web-green:
                    servers: [ { address: 127.0.0.1:%d } ]
                    passive: { consecutive_failures: 1 }
                  web-checked:
                    servers: [ { address: 127.0.0.1:%d } ]
                    health_check: { type: tcp, interval: 100ms, timeout: 100ms, unhealthy_threshold: 1 }
                routes:
                  - match: { path_prefix: /refused }
                    upstream: web-blue
                    mirror: { upstream: web-green }
                  - match: { path_prefix: /down }
                    upstream: web-blue
                    mirror: { upstream: web-checked }
                """.formatted(blue.address(), closedPort, closedPort), 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> metric("bascule_server_up",
                "upstream", "web-checked", "server", "127.0.0.1:" + closedPort) == 0);

        timeSequentially("/refused", 20);
        timeSequentially("/down", 20);

        await().atMost(Duration.ofSeconds(10)).until(() -> metric("bascule_mirror_dropped_total",
                "route", "/refused", "upstream", "web-green") == 20);
        Scrape s = scrape();
        assertThat(s.value("bascule_mirror_dropped_total", "route", "/down", "upstream", "web-checked"))
                .as("no routable server: dropped without a connect").isEqualTo(20.0);
        assertThat(s.value("bascule_mirror_requests_total", "route", "/refused", "upstream", "web-green"))
                .isEqualTo(0.0);
        assertThat(s.value("bascule_mirror_in_flight", "route", "/refused", "upstream", "web-green")).isEqualTo(0.0);
        // No passive health event from a copy: the refused server is neither failed nor ejected, and blue is fine.
        String greenServer = "127.0.0.1:" + closedPort;
        assertThat(s.value("bascule_upstream_connect_failures_total", "upstream", "web-green", "server", greenServer))
                .isEqualTo(0.0);
        assertThat(s.value("bascule_ejections_total", "upstream", "web-green", "server", greenServer)).isEqualTo(0.0);
        assertThat(s.value("bascule_server_up", "upstream", "web-green", "server", greenServer)).isEqualTo(1.0);
        assertThat(s.value("bascule_server_up", "upstream", "web-blue", "server", blue.address())).isEqualTo(1.0);
        assertThat(blue.requests()).isEqualTo(40);
    }

    @Test
    void aFailingMirrorNeverEjectsItsServersAndItsAnswersAreCountedApart() throws Exception {
        green.failWith(500);
        start("", """
                - match: { path_prefix: /api }
                  upstream: web-blue
                  mirror: { upstream: web-green, percent: 100 }
                """);
        timeSequentially("/api/x", 20);

        await().atMost(Duration.ofSeconds(10)).until(() -> metric("bascule_mirror_responses_total",
                "route", "/api", "upstream", "web-green", "code", "500") == 20);
        Scrape s = scrape();
        assertThat(s.value("bascule_ejections_total", "upstream", "web-green", "server", green.address()))
                .isEqualTo(0.0);
        assertThat(s.value("bascule_server_up", "upstream", "web-green", "server", green.address())).isEqualTo(1.0);
        assertThat(s.value("bascule_upstream_requests_total", "upstream", "web-green", "server", green.address(),
                "code", "500")).isNull();
        assertThat(s.value("bascule_upstream_requests_total", "upstream", "web-blue", "server", blue.address(),
                "code", "200")).isEqualTo(20.0);
        assertThat(green.requests()).isEqualTo(20);
        // Answered copies give their connections back: twenty copies, one after another, reuse connections. (How
        // many depends on whether a copy's connection is back in the pool before the next copy leaves, which a busy
        // machine delays; a copy that kept its connection would make it twenty.)
        assertThat(green.connectionsAccepted()).isLessThan(20);
    }

    @Test
    void copiesGoOverAnHttp2MirrorUpstreamWithTheirBodies() throws Exception {
        try (H2Origin h2 = H2Origin.start("green-h2", 100)) {
            proxy = ProxyUnderTest.start("""
                    listeners: [ { address: 127.0.0.1:0 } ]
                    admin: { address: 127.0.0.2:0 }
                    upstreams:
                      web-blue: { servers: [ { address: %s } ] }
                      web-green: { protocol: h2c, servers: [ { address: %s } ] }
                    routes:
                      - upstream: web-blue
                        mirror: { upstream: web-green }
                    """.formatted(blue.address(), h2.address()), 1);
            try (RawHttp c = proxy.raw()) {
                assertThat(c.exchange(get("/work/1")).header("x-origin")).isEqualTo("blue");
                assertThat(c.exchange(post("/work/2", pattern(5000))).header("x-origin")).isEqualTo("blue");
                assertThat(c.exchange(chunkedPost("/work/3", pattern(3000))).header("x-origin")).isEqualTo("blue");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> metric("bascule_mirror_responses_total",
                    "route", "*", "upstream", "web-green", "code", "200") == 3);
            assertThat(h2.processed()).containsOnlyKeys("1", "2", "3");
            assertThat(metric("bascule_mirror_dropped_total", "route", "*", "upstream", "web-green")).isZero();
        }
    }

    @Test
    void aSplitRouteMirrorsWhateverSideServesTheRequestAndItsCountsStayExact() throws Exception {
        try (TestOrigin shadow = TestOrigin.start("shadow")) {
            proxy = ProxyUnderTest.start("""
                    listeners: [ { address: 127.0.0.1:0 } ]
                    admin: { address: 127.0.0.2:0 }
                    upstreams:
                      web-blue: { servers: [ { address: %s } ] }
                      web-green: { servers: [ { address: %s } ] }
                      web-shadow: { servers: [ { address: %s } ] }
                    routes:
                      - name: app
                        match: { path_prefix: /all }
                        split: [ { upstream: web-blue, weight: 70 }, { upstream: web-green, weight: 30 } ]
                        mirror: { upstream: web-shadow, percent: 100 }
                      - name: tenth
                        split: [ { upstream: web-blue, weight: 50 }, { upstream: web-green, weight: 50 } ]
                        sticky: { key: "header:x-user" }
                        mirror: { upstream: web-shadow, percent: 10 }
                    """.formatted(blue.address(), green.address(), shadow.address()), 2);
            Map<String, String> sideOf = new TreeMap<>();
            try (RawHttp c = proxy.raw()) {
                for (int i = 0; i < 100; i++) {
                    RawHttp.Response r = c.exchange(get("/all/" + i));
                    assertThat(r.status()).isEqualTo(200);
                    sideOf.put("/all/" + i, r.header("x-origin"));
                }
                for (int i = 0; i < 100; i++) {
                    RawHttp.Response r = c.exchange("GET /user/" + i + " HTTP/1.1\r\nHost: labs.test\r\nX-User: u" + i
                            + "\r\n\r\n");
                    assertThat(r.status()).isEqualTo(200);
                    sideOf.put("/user/" + i, r.header("x-origin"));
                }
            }
            // The split deals by turns exactly as without a mirror: 70 and 30 of 100.
            assertThat(sideOf.entrySet().stream().filter(e -> e.getKey().startsWith("/all/"))
                    .filter(e -> e.getValue().equals("blue")).count()).isEqualTo(70);
            assertThat(blue.recorded().stream().filter(r -> r.uri().startsWith("/all/")).count()).isEqualTo(70);
            assertThat(green.recorded().stream().filter(r -> r.uri().startsWith("/all/")).count()).isEqualTo(30);

            // Every request of the route is copied (percent 100), whichever side served it; the other route copies
            // exactly one request in ten of its own, again from both sides.
            await().atMost(Duration.ofSeconds(10)).until(() -> shadow.requests() == 110);
            List<String> copied = shadow.recorded().stream().map(TestOrigin.Recorded::uri).toList();
            assertThat(copied.stream().filter(u -> u.startsWith("/all/")).sorted().toList())
                    .isEqualTo(sideOf.keySet().stream().filter(u -> u.startsWith("/all/")).sorted().toList());
            List<String> tenth = copied.stream().filter(u -> u.startsWith("/user/")).toList();
            assertThat(tenth).hasSize(10);
            assertThat(tenth.stream().map(sideOf::get).distinct().sorted().toList())
                    .as("copies of requests served by each side").containsExactly("blue", "green");
            assertThat(blue.requests() + green.requests()).as("no copy reached a side").isEqualTo(200);

            await().atMost(Duration.ofSeconds(10)).until(() -> metric("bascule_mirror_in_flight",
                    "route", "app", "upstream", "web-shadow") == 0);
            Scrape s = scrape();
            assertThat(s.value("bascule_mirror_requests_total", "route", "app", "upstream", "web-shadow"))
                    .isEqualTo(100.0);
            assertThat(s.value("bascule_mirror_requests_total", "route", "tenth", "upstream", "web-shadow"))
                    .isEqualTo(10.0);
            assertThat(s.all("bascule_requests_total").stream().filter(x -> x.labels().get("route").equals("app")
                    && x.labels().get("upstream").equals("web-blue")).mapToDouble(Scrape.Sample::value).sum())
                    .as("the sides count what they served, no copy").isEqualTo(70.0);
            JsonNode explained = new AdminClient(proxy.bascule().adminAddress())
                    .get("/explain?host=labs.test&path=/all/x").json();
            assertThat(explained.at("/route/mirror/upstream").asText()).isEqualTo("web-shadow");
            assertThat(explained.at("/route/mirror/percent").asText()).isEqualTo("100");
        }
    }

    private static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('a' + i % 26);
        }
        return b;
    }

    private static String crc(byte[] body) {
        CRC32 c = new CRC32();
        c.update(body);
        return Long.toHexString(c.getValue());
    }

    private static String post(String path, byte[] body) {
        return "POST " + path + " HTTP/1.1\r\nHost: labs.test\r\nContent-Length: " + body.length + "\r\n\r\n"
                + new String(body, StandardCharsets.ISO_8859_1);
    }

    private static String chunkedPost(String path, byte[] body) {
        int half = body.length / 2;
        return "POST " + path + " HTTP/1.1\r\nHost: labs.test\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(half) + "\r\n" + new String(Arrays.copyOf(body, half), StandardCharsets.ISO_8859_1)
                + "\r\n" + Integer.toHexString(body.length - half) + "\r\n"
                + new String(Arrays.copyOfRange(body, half, body.length), StandardCharsets.ISO_8859_1) + "\r\n0\r\n\r\n";
    }
}
