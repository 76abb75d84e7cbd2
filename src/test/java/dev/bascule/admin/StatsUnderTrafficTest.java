package dev.bascule.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bascule.Bascule;
import dev.bascule.balance.Balancers;
import dev.bascule.config.ConfigLoader;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestOrigin;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code GET /stats} fed by real traffic through a real Bascule: every request lands in one sample of its route, its
 * upstream, the total and the server that answered it, so the counts over the window add up to what was sent: the
 * sum of each sample's rate times the time since the sample before (a second, or more when a tick was late).
 */
@ExtendWith(LeakGuard.class)
class StatsUnderTrafficTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Samples are stamped by the wall clock, rates divided by the monotonic clock's interval: microseconds apart. */
    private static final double JITTER = 0.25;

    private TestOrigin blue1;
    private TestOrigin blue2;
    private TestOrigin green1;
    private Bascule bascule;
    /** The sample times of the last {@code /stats} read. */
    private JsonNode times;

    @BeforeEach
    void start() throws Exception {
        blue1 = TestOrigin.start("blue-01");
        blue2 = TestOrigin.start("blue-02");
        green1 = TestOrigin.start("green-01");
        String yaml = """
                listeners: [ { name: public, address: 127.0.0.1:0 } ]
                admin: { address: 127.0.0.2:0 }
                upstreams:
                  web-blue:
                    servers: [ { address: %s }, { address: %s } ]
                  web-green:
                    servers: [ { address: %s } ]
                routes:
                  - match: { host: blue.labs.test }
                    upstream: web-blue
                  - match: { host: green.labs.test }
                    upstream: web-green
                """.formatted(blue1.address(), blue2.address(), green1.address());
        bascule = Bascule.start(new ConfigLoader(Balancers.standard().names()).parse(yaml, "stats.yaml"), 2);
    }

    @AfterEach
    void stop() {
        if (bascule != null) {
            bascule.close();
        }
        blue1.close();
        blue2.close();
        green1.close();
    }

    @Test
    void everyRequestCountsOnceInItsRouteUpstreamServerAndTheTotal() throws Exception {
        // Counting starts with the ring's first reading, at the first second boundary after start-up.
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> stats().get("time").size() >= 1);
        try (RawHttp client = new RawHttp(bascule.listenerAddresses().get(0))) {
            for (int i = 0; i < 20; i++) {
                assertThat(client.exchange("GET / HTTP/1.1\r\nHost: blue.labs.test\r\n\r\n").status()).isEqualTo(200);
            }
            for (int i = 0; i < 3; i++) {
                assertThat(client.exchange("GET /status?code=503 HTTP/1.1\r\nHost: green.labs.test\r\n\r\n")
                        .status()).isEqualTo(503);
            }
            for (int i = 0; i < 5; i++) {
                assertThat(client.exchange("GET / HTTP/1.1\r\nHost: nowhere.labs.test\r\n\r\n").status())
                        .isEqualTo(404);
            }
        }
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    JsonNode s = stats();
                    times = s.get("time");
                    return sum(s.get("total").get("requests")) >= 28 - JITTER;
                });
        JsonNode stats = stats();
        times = stats.get("time");
        assertThat(sum(stats.get("total").get("requests"))).isCloseTo(28, within(JITTER));
        assertThat(sum(stats.get("total").get("errors"))).isCloseTo(3, within(JITTER));

        JsonNode blue = find(stats.get("routes"), "route", "blue.labs.test");
        assertThat(blue.get("upstream").asText()).isEqualTo("web-blue");
        assertThat(sum(blue.get("requests"))).isCloseTo(20, within(JITTER));
        assertThat(sum(blue.get("2xx"))).isCloseTo(20, within(JITTER));
        assertThat(max(blue.get("p99_ms"))).as("a latency was measured").isGreaterThan(0);
        JsonNode green = find(stats.get("routes"), "route", "green.labs.test");
        assertThat(sum(green.get("5xx"))).isCloseTo(3, within(JITTER));
        assertThat(sum(green.get("errors"))).isCloseTo(3, within(JITTER));
        JsonNode unrouted = find(stats.get("routes"), "route", "");
        assertThat(sum(unrouted.get("4xx"))).as("no route matched").isCloseTo(5, within(JITTER));

        assertThat(sum(find(stats.get("upstreams"), "upstream", "web-blue").get("requests")))
                .isCloseTo(20, within(JITTER));
        assertThat(sum(find(stats.get("upstreams"), "upstream", "web-green").get("errors")))
                .isCloseTo(3, within(JITTER));
        double blue1Requests = sum(find(stats.get("servers"), "address", blue1.address()).get("requests"));
        double blue2Requests = sum(find(stats.get("servers"), "address", blue2.address()).get("requests"));
        assertThat(blue1Requests + blue2Requests).isCloseTo(20, within(JITTER));
        assertThat(blue1Requests).as("round robin").isCloseTo(10, within(JITTER));
        JsonNode greenServer = find(stats.get("servers"), "address", green1.address());
        assertThat(sum(greenServer.get("errors"))).as("its 503 answers").isCloseTo(3, within(JITTER));
    }

    private JsonNode stats() throws Exception {
        try (RawHttp raw = new RawHttp(bascule.adminAddress())) {
            RawHttp.Response r = raw.exchange("GET /stats?window=15m HTTP/1.1\r\nHost: 127.0.0.2\r\n\r\n");
            assertThat(r.status()).isEqualTo(200);
            return JSON.readTree(r.body());
        }
    }

    private static JsonNode find(JsonNode list, String field, String value) {
        for (JsonNode n : list) {
            if (n.get(field).asText().equals(value)) {
                return n;
            }
        }
        throw new AssertionError("no entry with " + field + " '" + value + "' in " + list);
    }

    /**
     * What a series counted: each sample's rate times the seconds since the sample before. The first sample is left
     * out; the test sends its requests after it.
     */
    private double sum(JsonNode values) {
        double sum = 0;
        for (int i = 1; i < values.size(); i++) {
            JsonNode v = values.get(i);
            sum += v.isNull() ? 0 : v.asDouble() * (times.get(i).asDouble() - times.get(i - 1).asDouble());
        }
        return sum;
    }

    private static double max(JsonNode values) {
        double max = 0;
        for (JsonNode v : values) {
            max = Math.max(max, v.isNull() ? 0 : v.asDouble());
        }
        return max;
    }
}
