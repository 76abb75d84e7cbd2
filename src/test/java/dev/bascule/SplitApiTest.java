package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bascule.testing.AdminClient;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestOrigin;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The split through the admin API, with real origins: {@code GET /routes}, {@code PUT /routes/{name}/split} and its
 * refusals, and 2,000 sticky clients (by address, through {@code trusted_proxies} and X-Forwarded-For) while green
 * goes from 10% to 50% to 100%: none ever goes back from green to blue, and each step's share is the weight's.
 */
@ExtendWith(LeakGuard.class)
class SplitApiTest {
    private static final int CLIENTS = 2000;

    private TestOrigin blue;
    private TestOrigin green;
    private ProxyUnderTest proxy;
    private AdminClient admin;

    @BeforeEach
    void start() throws Exception {
        blue = TestOrigin.start("blue");
        green = TestOrigin.start("green");
        proxy = ProxyUnderTest.start("""
                listeners: [ { name: public, address: 127.0.0.1:0 } ]
                admin: { address: 127.0.0.2:0 }
                trusted_proxies: [ 127.0.0.1 ]
                upstreams:
                  web-blue: { servers: [ { address: %s } ] }
                  web-green: { servers: [ { address: %s } ] }
                  other: { servers: [ { address: %s } ] }
                routes:
                  - name: app
                    match: { host: labs.test }
                    split: [ { upstream: web-blue, weight: 100 }, { upstream: web-green, weight: 0 } ]
                    sticky: { key: client_ip }
                  - name: plain
                    match: { host: plain.labs.test }
                    upstream: web-blue
                  - match: { path_prefix: /unnamed }
                    split: [ { upstream: web-blue, weight: 50 }, { upstream: web-green, weight: 50 } ]
                """.formatted(blue.address(), green.address(), blue.address()), 2);
        admin = new AdminClient(proxy.bascule().adminAddress());
    }

    @AfterEach
    void stop() {
        proxy.close();
        blue.close();
        green.close();
    }

    @Test
    void stickyClientsOnlyEverMoveFromBlueToGreenAsTheSplitGrows() throws Exception {
        Map<Integer, String> sideOf = new HashMap<>();
        try (RawHttp c = proxy.raw()) {
            for (int green : new int[] {10, 50, 100}) {
                AdminClient.Answer put = admin.send("PUT", "/routes/app/split",
                        "{\"web-blue\": " + (100 - green) + ", \"web-green\": " + green + "}");
                assertThat(put.status()).as(put.body()).isEqualTo(200);
                int onGreen = 0;
                for (int client = 0; client < CLIENTS; client++) {
                    RawHttp.Response r = c.exchange("GET / HTTP/1.1\r\nHost: labs.test\r\nX-Forwarded-For: 10.7."
                            + (client >> 8) + "." + (client & 0xff) + "\r\n\r\n");
                    assertThat(r.status()).isEqualTo(200);
                    String side = r.header("x-origin");
                    String before = sideOf.put(client, side);
                    if ("green".equals(before)) {
                        assertThat(side).as("client %d went back from green to blue at %d%%", client, green)
                                .isEqualTo("green");
                    }
                    if (side.equals("green")) {
                        onGreen++;
                    }
                }
                assertThat(onGreen / (double) CLIENTS).as("green's share at %d%%", green)
                        .isCloseTo(green / 100.0, offset(0.05));
            }
        }
        assertThat(sideOf.values()).as("at 100%% everyone is on green").containsOnly("green");
    }

    @Test
    void routesListEveryRouteWithItsSplitAndThePutAppliesAtOnce() throws Exception {
        JsonNode routes = admin.get("/routes").json().get("routes");
        assertThat(routes).hasSize(3);
        JsonNode app = routes.get(0);
        assertThat(app.get("name").asText()).isEqualTo("app");
        assertThat(app.at("/match/host").asText()).isEqualTo("labs.test");
        assertThat(app.get("upstream").isNull()).isTrue();
        assertThat(app.at("/split/0/upstream").asText()).isEqualTo("web-blue");
        assertThat(app.at("/split/0/weight").asInt()).isEqualTo(100);
        assertThat(app.get("split_source").asText()).isEqualTo("file");
        assertThat(app.at("/sticky/key").asText()).isEqualTo("client_ip");
        assertThat(app.get("rollout").isNull()).isTrue();
        assertThat(app.has("rollout")).isTrue();
        assertThat(routes.get(1).get("upstream").asText()).isEqualTo("web-blue");
        assertThat(routes.get(1).get("split").isNull()).isTrue();
        assertThat(routes.get(2).get("name").isNull()).isTrue();
        assertThat(routes.get(2).get("label").asText()).isEqualTo("/unnamed");

        AdminClient.Answer put = admin.send("PUT", "/routes/app/split", "{\"web-green\": 100}");
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.json().at("/split/0/weight").asInt()).as("a side not named gets 0").isZero();
        assertThat(put.json().at("/split/0/file_weight").asInt()).isEqualTo(100);
        assertThat(put.json().at("/split/1/weight").asInt()).isEqualTo(100);
        assertThat(put.json().get("split_source").asText()).isEqualTo("api");
        try (RawHttp c = proxy.raw()) {
            assertThat(c.exchange("GET / HTTP/1.1\r\nHost: labs.test\r\n\r\n").header("x-origin"))
                    .as("applied at once").isEqualTo("green");
        }
        assertThat(admin.get("/routes/app").json().at("/split/1/weight").asInt()).isEqualTo(100);
        assertThat(admin.get("/explain?host=labs.test&path=/&client=10.1.2.3").json().at("/route/split/upstream")
                .asText()).isEqualTo("web-green");

        AdminClient.Answer back = admin.send("PUT", "/routes/app/split", "{\"web-blue\": 100, \"web-green\": 0}");
        assertThat(back.json().get("split_source").asText()).as("the file's weights again").isEqualTo("file");
    }

    @Test
    void aSplitThatCannotBeSetIsRefusedAndChangesNothing() throws Exception {
        assertRefused("/routes/%2Funnamed/split", "{\"web-blue\": 50, \"web-green\": 50}", 409,
                "route '/unnamed' has no name: give it a 'name' in the config to change it through the admin API");
        assertRefused("/routes/plain/split", "{\"web-blue\": 100}", 409,
                "route 'plain' has no split: it sends to upstream 'web-blue'");
        assertRefused("/routes/app/split", "{\"web-blue\": 50, \"other\": 50}", 409,
                "route 'app' has no split with upstream 'other': its split is web-blue, web-green");
        assertRefused("/routes/app/split", "{\"web-blue\": 80, \"web-green\": 10}", 400,
                "weights add up to 90; they are percentages and must add up to 100");
        assertRefused("/routes/app/split", "{\"web-blue\": 50, \"web-red\": 50}", 400, "unknown upstream 'web-red'");
        assertRefused("/routes/app/split", "{\"web-blue\": 150, \"web-green\": -50}", 400,
                "weight of 'web-blue' must be from 0 to 100, not 150");
        assertRefused("/routes/app/split", "{\"web-blue\": \"80\", \"web-green\": 20}", 400,
                "the weight of 'web-blue' must be an integer from 0 to 100");
        assertRefused("/routes/app/split", "{}", 400,
                "no weights: expected {\"UPSTREAM\": WEIGHT, ...} adding up to 100");
        assertRefused("/routes/nope/split", "{\"web-blue\": 100}", 404, "no route named 'nope'");
        assertThat(admin.get("/routes/app/split").status()).isEqualTo(405);
        assertThat(admin.get("/routes/nope").status()).isEqualTo(404);

        JsonNode app = admin.get("/routes/app").json();
        assertThat(app.at("/split/0/weight").asInt()).as("unchanged").isEqualTo(100);
        assertThat(app.get("split_source").asText()).isEqualTo("file");
    }

    private void assertRefused(String path, String body, int status, String error) throws Exception {
        AdminClient.Answer a = admin.send("PUT", path, body);
        assertThat(a.status()).as(path + " " + body).isEqualTo(status);
        assertThat(a.json().get("error").asText()).isEqualTo(error);
    }
}
