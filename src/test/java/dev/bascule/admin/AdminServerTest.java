package dev.bascule.admin;

import static dev.bascule.admin.AdminUnderTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bascule.config.ConfigException;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestOrigin;
import dev.bascule.upstream.Server;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The admin API's endpoints against a real control plane, over real sockets. */
@ExtendWith(LeakGuard.class)
class AdminServerTest {
    private AdminUnderTest t;

    @BeforeEach
    void start() throws Exception {
        t = new AdminUnderTest();
    }

    @AfterEach
    void stop() {
        t.close();
    }

    @Test
    void statusReportsTheConfigAndEveryServerWithSnakeCaseKeys() throws Exception {
        HttpResponse<String> r = t.get("/status");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode body = json(r);
        assertThat(fieldNames(body)).containsExactly("config", "upstreams", "cluster");
        assertThat(body.get("cluster").isNull()).as("a single instance is in no fleet").isTrue();
        assertThat(fieldNames(body.get("config"))).containsExactly("file", "version", "loaded_at");
        assertThat(body.at("/config/file").asText()).isEqualTo("t.yaml");
        assertThat(body.at("/config/version").isIntegralNumber()).isTrue();
        assertThat(body.at("/config/version").asLong()).isEqualTo(1);
        assertThat(body.at("/config/loaded_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(fieldNames(body.get("upstreams"))).containsExactly("web-blue", "web-green");
        JsonNode blue = body.at("/upstreams/web-blue");
        assertThat(fieldNames(blue)).containsExactly("balancer", "queue_length", "servers");
        assertThat(blue.get("queue_length").asInt()).isZero();
        assertThat(blue.get("balancer").asText()).isEqualTo("round_robin");
        assertThat(body.at("/upstreams/web-green/balancer").asText()).isEqualTo("least_conn");
        assertThat(blue.get("servers")).hasSize(2);
        JsonNode first = blue.get("servers").get(0);
        assertThat(fieldNames(first))
                .containsExactly("address", "weight", "state", "in_flight", "requests", "failures", "latency_ms",
                        "source", "open_connections", "max_connections");
        assertThat(first.get("open_connections").asInt()).isZero();
        assertThat(first.get("max_connections").isNull()).isTrue(); // no cap configured
        assertThat(first.get("address").asText()).isEqualTo(t.blue1.address());
        assertThat(first.get("weight").asInt()).isEqualTo(2);
        assertThat(first.get("state").asText()).isEqualTo("healthy");
        assertThat(first.get("in_flight").asInt()).isZero();
        assertThat(first.get("requests").asLong()).isZero();
        assertThat(first.get("failures").asLong()).isZero();
        assertThat(first.get("latency_ms").asDouble()).isZero();
        assertThat(first.get("source").asText()).isEqualTo("config");
        assertThat(blue.at("/servers/1/address").asText()).isEqualTo(t.blue2.address());
        assertThat(blue.at("/servers/1/weight").asInt()).isEqualTo(1);
    }

    @Test
    void statusShowsTheLatencyAverageTheEwmaBalancerCompares() throws Exception {
        Server blue1 = t.control.live().get().pools().get("web-blue").candidates().stream()
                .filter(s -> s.address().equals(t.blue1.address()))
                .findFirst()
                .orElseThrow();
        blue1.state().recordLatency(2_500_000, System.nanoTime()); // the clock AdminUnderTest's control plane reads

        // The average decays toward 0 (time constant ewma_decay, 500 ms): shown right away it is still near 2.5 ms.
        assertThat(t.serverInStatus("web-blue", t.blue1.address()).get("latency_ms").asDouble())
                .isBetween(1.0, 2.5);
        assertThat(t.serverInStatus("web-blue", t.blue2.address()).get("latency_ms").asDouble()).isZero();
    }

    @Test
    void anAddedServerIsReportedAndBecomesACandidate() throws Exception {
        try (TestOrigin blue3 = TestOrigin.start("blue-03")) {
            HttpResponse<String> r = t.send("POST", "/upstreams/web-blue/servers",
                    "{\"address\": \"" + blue3.address() + "\", \"weight\": 3}");

            assertThat(r.statusCode()).isEqualTo(201);
            JsonNode added = json(r);
            assertThat(added.get("address").asText()).isEqualTo(blue3.address());
            assertThat(added.get("weight").asInt()).isEqualTo(3);
            assertThat(added.get("source").asText()).isEqualTo("api");
            JsonNode listed = t.serverInStatus("web-blue", blue3.address());
            assertThat(listed).isNotNull();
            assertThat(listed.get("source").asText()).isEqualTo("api");
            assertThat(listed.get("state").asText()).isEqualTo("healthy");
            assertThat(candidates("web-blue")).contains(blue3.address());
        }
    }

    @Test
    void weightIsOptionalWhenAdding() throws Exception {
        HttpResponse<String> r = t.send("POST", "/upstreams/web-green/servers", "{\"address\": \"127.0.0.1:9\"}");

        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(json(r).get("weight").asInt()).isEqualTo(1);
    }

    @Test
    void addingAServerTwiceIsAConflict() throws Exception {
        HttpResponse<String> r = t.send("POST", "/upstreams/web-blue/servers",
                "{\"address\": \"" + t.blue2.address() + "\"}");

        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(json(r).get("error").asText()).contains(t.blue2.address()).contains("already");
        assertThat(t.status().at("/upstreams/web-blue/servers")).hasSize(2);
    }

    @Test
    void addingToAnUnknownUpstreamIsNotFound() throws Exception {
        HttpResponse<String> r = t.send("POST", "/upstreams/web-red/servers", "{\"address\": \"127.0.0.1:9\"}");

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r).get("error").asText()).isEqualTo("unknown upstream 'web-red'");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "{\"address\": ",
        "not json",
        "[\"127.0.0.1:9\"]",
        "{}",
        "{\"weight\": 2}",
        "{\"address\": 9}",
        "{\"address\": \"127.0.0.1:9\", \"weight\": \"2\"}",
        "{\"address\": \"127.0.0.1:9\", \"weight\": 2.5}",
        "{\"address\": \"127.0.0.1:9\", \"weight\": 0}",
        "{\"address\": \"127.0.0.1:9\", \"colour\": \"red\"}",
        "{\"address\": \"127.0.0.1:9\"} {}",
        "{\"address\": \"127.0.0.1:9\", \"address\": \"127.0.0.1:10\"}",
        "{\"address\": \"no-port\"}",
    })
    void aBadBodyIsRejectedAndChangesNothing(String body) throws Exception {
        HttpResponse<String> r = t.send("POST", "/upstreams/web-blue/servers", body);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(fieldNames(json(r))).containsExactly("error");
        assertThat(json(r).get("error").asText()).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(t.status().at("/upstreams/web-blue/servers")).hasSize(2);
    }

    @Test
    void drainThenUndrain() throws Exception {
        String path = "/upstreams/web-blue/servers/" + t.blue1.address();

        HttpResponse<String> drained = t.send("POST", path + "/drain", null);
        assertThat(drained.statusCode()).isEqualTo(200);
        assertThat(json(drained).get("state").asText()).isEqualTo("draining");
        assertThat(t.serverInStatus("web-blue", t.blue1.address()).get("state").asText()).isEqualTo("draining");
        assertThat(candidates("web-blue")).containsExactly(t.blue2.address());

        HttpResponse<String> undrained = t.send("POST", path + "/undrain", null);
        assertThat(undrained.statusCode()).isEqualTo(200);
        assertThat(json(undrained).get("state").asText()).isEqualTo("healthy");
        assertThat(t.serverInStatus("web-blue", t.blue1.address()).get("state").asText()).isEqualTo("healthy");
        assertThat(candidates("web-blue")).contains(t.blue1.address());
    }

    @Test
    void patchSetsTheWeight() throws Exception {
        HttpResponse<String> r = t.send("PATCH", "/upstreams/web-blue/servers/" + t.blue2.address(),
                "{\"weight\": 3}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("weight").asInt()).isEqualTo(3);
        assertThat(t.serverInStatus("web-blue", t.blue2.address()).get("weight").asInt()).isEqualTo(3);
        assertThat(t.control.live().get().pools().get("web-blue").members())
                .filteredOn(s -> s.address().equals(t.blue2.address()))
                .extracting(Server::weight).containsExactly(3);
    }

    @Test
    void patchRefusesAWeightOutOfRange() throws Exception {
        HttpResponse<String> r = t.send("PATCH", "/upstreams/web-blue/servers/" + t.blue2.address(),
                "{\"weight\": 1001}");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("error").asText()).isEqualTo("weight must be from 1 to 1000");
        assertThat(t.serverInStatus("web-blue", t.blue2.address()).get("weight").asInt()).isEqualTo(1);
    }

    @Test
    void deleteAnswersAtOnceAndTheServerLeavesOnceDrained() throws Exception {
        HttpResponse<String> r = t.send("DELETE", "/upstreams/web-blue/servers/" + t.blue1.address(), null);

        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(json(r).get("address").asText()).isEqualTo(t.blue1.address());
        assertThat(candidates("web-blue")).containsExactly(t.blue2.address());
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> t.serverInStatus("web-blue", t.blue1.address()) == null);
        assertThat(t.status().at("/upstreams/web-blue/servers")).hasSize(1);
    }

    @Test
    void commandsOnAnUnknownServerOrUpstreamAreNotFound() throws Exception {
        assertThat(t.send("POST", "/upstreams/web-blue/servers/127.0.0.1:1/drain", null).statusCode())
                .isEqualTo(404);
        assertThat(t.send("DELETE", "/upstreams/web-blue/servers/127.0.0.1:1", null).statusCode()).isEqualTo(404);
        assertThat(t.send("PATCH", "/upstreams/web-red/servers/" + t.blue1.address(), "{\"weight\": 2}")
                .statusCode()).isEqualTo(404);
        HttpResponse<String> r = t.get("/upstreams/web-blue/servers/127.0.0.1:1");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r).get("error").asText()).isEqualTo("no server 127.0.0.1:1 in upstream 'web-blue'");
    }

    @Test
    void aServerCanBeReadOnItsOwn() throws Exception {
        HttpResponse<String> r = t.get("/upstreams/web-green/servers/" + t.green1.address());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("address").asText()).isEqualTo(t.green1.address());
        assertThat(json(r).get("source").asText()).isEqualTo("config");
    }

    @Test
    void aPercentEncodedAddressNamesTheSameServer() throws Exception {
        String encoded = t.blue1.address().replace(":", "%3A");

        HttpResponse<String> r = t.send("POST", "/upstreams/web-blue/servers/" + encoded + "/drain", null);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("address").asText()).isEqualTo(t.blue1.address());
        assertThat(t.serverInStatus("web-blue", t.blue1.address()).get("state").asText()).isEqualTo("draining");
    }

    @Test
    void anIpv6AddressWorksEncodedAndRaw() throws Exception {
        int port = t.green1.port(); // nothing listens on [::1] there; the pool has no health check, so no matter
        String address = "[::1]:" + port;
        HttpResponse<String> added = t.send("POST", "/upstreams/web-green/servers",
                "{\"address\": \"" + address + "\"}");
        assertThat(added.statusCode()).isEqualTo(201);
        assertThat(json(added).get("address").asText()).isEqualTo(address);

        HttpResponse<String> drained = t.send("POST",
                "/upstreams/web-green/servers/%5B%3A%3A1%5D%3A" + port + "/drain", null);
        assertThat(drained.statusCode()).isEqualTo(200);
        assertThat(json(drained).get("state").asText()).isEqualTo("draining");

        // java.net.URI refuses a raw '[' in a path, so this one goes over a raw socket.
        try (RawHttp raw = t.raw()) {
            RawHttp.Response r = raw.exchange("POST /upstreams/web-green/servers/" + address + "/undrain HTTP/1.1\r\n"
                    + "Host: localhost\r\nContent-Length: 0\r\n\r\n");
            assertThat(r.status()).isEqualTo(200);
            assertThat(AdminUnderTest.json(r).get("address").asText()).isEqualTo(address);
            assertThat(AdminUnderTest.json(r).get("state").asText()).isEqualTo("healthy");
        }
    }

    @Test
    void reloadSwapsInTheNewConfig() throws Exception {
        String changed = AdminUnderTest.yaml(t.blue1.address(), t.green1.address(), t.blue2.address())
                .replace("weight: 2", "weight: 7");
        t.reloadWith = () -> AdminUnderTest.parse(changed, "t2.yaml");

        HttpResponse<String> r = t.send("POST", "/reload", null);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"status\":\"ok\",\"version\":2}");
        JsonNode status = t.status();
        assertThat(status.at("/config/version").asLong()).isEqualTo(2);
        assertThat(status.at("/config/file").asText()).isEqualTo("t2.yaml");
        assertThat(status.at("/upstreams/web-blue/servers/0/weight").asInt()).isEqualTo(7);
        assertThat(status.at("/upstreams/web-blue/servers/1/address").asText()).isEqualTo(t.green1.address());
        assertThat(t.control.live().get().configVersion()).isEqualTo(2);
    }

    @Test
    void aRejectedReloadListsTheErrorsAndChangesNothing() throws Exception {
        String broken = AdminUnderTest.yaml(t.blue1.address(), t.blue2.address(), t.green1.address())
                .replace("upstream: web-green", "upstream: web-red");
        List<String> expected = new ArrayList<>();
        try {
            AdminUnderTest.parse(broken, "labs.yaml");
        } catch (ConfigException e) {
            e.errors().forEach(err -> expected.add(err.toString()));
        }
        assertThat(expected).as("the broken config is rejected by the loader").isNotEmpty();
        t.reloadWith = () -> AdminUnderTest.parse(broken, "labs.yaml");

        HttpResponse<String> r = t.send("POST", "/reload", null);

        assertThat(r.statusCode()).isEqualTo(400);
        List<String> errors = new ArrayList<>();
        json(r).get("errors").forEach(e -> errors.add(e.asText()));
        assertThat(errors).isEqualTo(expected);
        assertThat(errors.get(0)).matches("labs\\.yaml:\\d+:\\d+: unknown upstream 'web-red'");
        JsonNode status = t.status();
        assertThat(status.at("/config/version").asLong()).isEqualTo(1);
        assertThat(status.at("/config/file").asText()).isEqualTo("t.yaml");
    }

    @Test
    void withoutAConfigSourceReloadIsUnavailable() throws Exception {
        try (AdminServer other = t.adminWithoutReload()) {
            InetSocketAddress at = other.bind(new InetSocketAddress("127.0.0.1", 0));

            HttpResponse<String> r = t.send(at, "POST", "/reload", null);

            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(json(r).get("error").asText()).contains("reload");
        }
        assertThat(t.status().at("/config/version").asLong()).isEqualTo(1);
    }

    private List<String> candidates(String upstream) {
        return t.control.live().get().pools().get(upstream).candidates().stream().map(Server::address).toList();
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
