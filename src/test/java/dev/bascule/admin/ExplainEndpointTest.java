package dev.bascule.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bascule.Bascule;
import dev.bascule.balance.Balancers;
import dev.bascule.config.ConfigLoader;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestOrigin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code GET /explain} on the admin API of a real Bascule with real origins: it explains the demo's routes, and
 * explaining many times moves neither the round robin rotation, nor a rate-limit bucket, nor any server counter,
 * as the proxy's next requests show.
 */
@ExtendWith(LeakGuard.class)
class ExplainEndpointTest {
    static {
        // Lets the requests through the proxy set their Host header, which routing depends on.
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host,connection");
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    /** Burst of the limited route; its rate (one token per 1000 s) adds none while the test runs. */
    private static final int BURST = 5;

    private TestOrigin blue1;
    private TestOrigin blue2;
    private TestOrigin green1;
    private Bascule bascule;

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
                    servers:
                      - { address: %s, weight: 2 }
                      - { address: %s }
                  web-green:
                    servers: [ { address: %s } ]
                routes:
                  - match: { host: blue.labs.test }
                    upstream: web-blue
                  - match: { host: green.labs.test }
                    upstream: web-green
                  - match: { host: limited.labs.test }
                    upstream: web-green
                    rate_limit: { requests_per_second: 0.001, burst: %d }
                  - match: { path_prefix: /blue }
                    strip_prefix: true
                    upstream: web-blue
                  - match: { path_prefix: /green }
                    strip_prefix: true
                    upstream: web-green
                  - match: { path_prefix: / }
                    upstream: web-blue
                """.formatted(blue1.address(), blue2.address(), green1.address(), BURST);
        bascule = Bascule.start(new ConfigLoader(Balancers.standard().names()).parse(yaml, "explain.yaml"), 2);
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

    /** One admin request, written raw so that a malformed query reaches the server as it is. */
    private RawHttp.Response admin(String method, String pathAndQuery) throws Exception {
        try (RawHttp raw = new RawHttp(bascule.adminAddress())) {
            return raw.exchange(method + " " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + (method.equals("POST") ? "Content-Length: 0\r\n" : "") + "\r\n");
        }
    }

    private JsonNode explain(String query) throws Exception {
        RawHttp.Response r = admin("GET", "/explain?" + query);
        assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
        assertThat(r.header("content-type")).isEqualTo("application/json");
        return JSON.readTree(r.body());
    }

    /** Each server's counters in {@code /status}: requests, failures and in flight (latency decays with time). */
    private List<String> counters() throws Exception {
        List<String> out = new ArrayList<>();
        JsonNode upstreams = JSON.readTree(admin("GET", "/status").body()).get("upstreams");
        upstreams.fields().forEachRemaining(u -> {
            for (JsonNode s : u.getValue().get("servers")) {
                out.add(s.get("address").asText() + " requests " + s.get("requests").asLong() + " failures "
                        + s.get("failures").asLong() + " in flight " + s.get("in_flight").asInt());
            }
        });
        return out;
    }

    /** One request through the proxy: the origin's name, or the status when the proxy answered itself. */
    private String viaProxy(String host) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + bascule.listenerAddresses().get(0).getPort() + "/"))
                .header("Host", host)
                .timeout(Duration.ofSeconds(10))
                .build();
        HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? r.body().trim() : String.valueOf(r.statusCode());
    }

    @Test
    void explainsTheDemoRoutesRouteByRoute() throws Exception {
        JsonNode e = explain("host=labs.test&path=/green/x%3Fy%3D1&method=GET&client=10.1.2.3"
                + "&header=X-User:+ann&header=Accept%3A%20text/html");

        assertThat(e.at("/request/path").asText()).isEqualTo("/green/x?y=1");
        assertThat(e.at("/request/headers/0/name").asText()).isEqualTo("X-User");
        assertThat(e.at("/request/headers/0/value").asText()).as("+ is a space in a query").isEqualTo("ann");
        assertThat(e.at("/request/headers/1/value").asText()).isEqualTo("text/html");
        List<String> verdicts = new ArrayList<>();
        for (JsonNode r : e.get("routes")) {
            verdicts.add(r.get("label").asText() + " " + (r.get("won").asBoolean() ? "WON"
                    : r.get("matched").asBoolean() ? "matched" : r.get("why").asText()));
        }
        assertThat(verdicts).containsExactly(
                "blue.labs.test host did not match",
                "green.labs.test host did not match",
                "limited.labs.test host did not match",
                "/blue path prefix did not match",
                "/green WON",
                "/ matched");
        assertThat(e.at("/route/upstream").asText()).isEqualTo("web-green");
        assertThat(e.at("/route/target").asText()).isEqualTo("/x?y=1");
        assertThat(e.at("/route/access/verdict").asText()).isEqualTo("allowed");
        assertThat(e.at("/upstream/servers/0/address").asText()).isEqualTo(green1.address());
        assertThat(e.at("/upstream/servers/0/state").asText()).isEqualTo("healthy");
        assertThat(e.at("/upstream/servers/0/candidate").asBoolean()).isTrue();
        assertThat(e.at("/outcome/action").asText()).isEqualTo("forward");
        assertThat(e.at("/config/file").asText()).isEqualTo("explain.yaml");

        assertThat(explain("host=blue.labs.test&path=/x").at("/route/index").asInt()).isZero();
        assertThat(explain("host=labs.test&path=/blue/x").at("/route/target").asText()).isEqualTo("/x");
        assertThat(explain("host=other.test&path=/x").at("/route/label").asText()).isEqualTo("/");
    }

    @Test
    void manyExplainsMoveNeitherTheRotationNorTheBucketsNorTheCounters() throws Exception {
        // web-blue's weights 2:1 make the cycle blue-01, blue-02, blue-01.
        assertThat(viaProxy("blue.labs.test")).isEqualTo("blue-01");
        assertThat(viaProxy("limited.labs.test")).isEqualTo("green-01");
        assertThat(viaProxy("limited.labs.test")).isEqualTo("green-01");
        List<String> countersBefore = counters();
        assertThat(countersBefore).contains(blue1.address() + " requests 1 failures 0 in flight 0",
                green1.address() + " requests 2 failures 0 in flight 0");
        String blue = "host=blue.labs.test&path=/&client=127.0.0.1";
        String limited = "host=limited.labs.test&path=/&client=127.0.0.1";
        assertThat(explain(blue).at("/upstream/next").asText()).isEqualTo(blue2.address());
        assertThat(explain(limited).at("/route/rate_limit/tokens").asInt()).isEqualTo(BURST - 2);

        for (int i = 0; i < 100; i++) {
            JsonNode b = explain(blue);
            assertThat(b.at("/upstream/next").asText()).isEqualTo(blue2.address());
            assertThat(b.at("/upstream/servers/0/in_flight").asInt()).isZero();
            JsonNode l = explain(limited);
            assertThat(l.at("/route/rate_limit/key_value").asText()).isEqualTo("127.0.0.1");
            assertThat(l.at("/route/rate_limit/tokens").asInt()).isEqualTo(BURST - 2);
            assertThat(l.at("/outcome/action").asText()).isEqualTo("forward");
        }

        assertThat(counters()).as("no request, failure or in-flight count moved").isEqualTo(countersBefore);
        // The rotation goes on where the proxy left it, as if nothing had been explained.
        List<String> next = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            next.add(viaProxy("blue.labs.test"));
        }
        assertThat(next).containsExactly("blue-02", "blue-01", "blue-01", "blue-02", "blue-01", "blue-01");
        // The bucket still holds exactly what the proxy left in it.
        List<String> limitedAnswers = new ArrayList<>();
        for (int i = 0; i < BURST - 1; i++) {
            limitedAnswers.add(viaProxy("limited.labs.test"));
        }
        assertThat(limitedAnswers).containsExactly("green-01", "green-01", "green-01", "429");
        JsonNode empty = explain(limited);
        assertThat(empty.at("/route/rate_limit/tokens").asInt()).isZero();
        assertThat(empty.at("/outcome/status").asInt()).isEqualTo(429);
    }

    @Test
    void aMissingOrBadParameterIs400WithAJsonError() throws Exception {
        assertError("/explain?path=/x", "host is required, such as blue.labs.test");
        assertError("/explain?host=a.test", "path is required, such as /x");
        assertError("/explain", "host is required, such as blue.labs.test");
        assertError("/explain?host=a.test&path=/&client=10.1.2", "bad client '10.1.2': expected an IP address such as"
                + " 10.1.2.3");
        assertError("/explain?host=a.test&path=/&client=localhost", "bad client 'localhost': expected an IP address"
                + " such as 10.1.2.3");
        assertError("/explain?host=a.test&path=x", "bad path 'x': expected an origin-form target such as /x?y");
        assertError("/explain?host=a.test&path=/&header=X-User", "bad header 'X-User': expected Name:value");
        assertError("/explain?host=a.test&host=b.test&path=/", "parameter 'host' given 2 times, expected once");
        assertError("/explain?hots=a.test&path=/", "unknown parameter 'hots', expected one of host, path, method,"
                + " client, header");
        assertError("/explain?host=a%ZZ&path=/", "bad percent-encoding in the query: 'a%ZZ'");

        RawHttp.Response post = admin("POST", "/explain?host=a.test&path=/");
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.header("allow")).isEqualTo("GET, HEAD");
    }

    private void assertError(String pathAndQuery, String message) throws Exception {
        RawHttp.Response r = admin("GET", pathAndQuery);
        assertThat(r.status()).as(pathAndQuery).isEqualTo(400);
        assertThat(r.header("content-type")).isEqualTo("application/json");
        assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo(message);
    }
}
