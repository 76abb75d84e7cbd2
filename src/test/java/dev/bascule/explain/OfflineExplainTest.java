package dev.bascule.explain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bascule.balance.Balancers;
import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ConfigLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The demo config's routes ({@code examples/labs.yaml}), explained from the file and checked route by route:
 * {@code blue.labs.test} and {@code green.labs.test} by host, {@code /blue} and {@code /green} by path with the
 * prefix stripped, everything else to blue, as the seed's nginx setup; and on {@code app.labs.test} alone, a
 * request with {@code x-release: green} pinned to green, the others split.
 */
class OfflineExplainTest {
    private static final String H = "host did not match";
    private static final String P = "path prefix did not match";
    private static final String B = "neither host nor path prefix matched";
    private static final String HX = "host did not match; header x-release is absent";
    private static final String X = "header x-release is absent";
    private static final String MATCH = "match";
    private static final String SHADOWED = "shadowed";

    private static BasculeConfig labs;

    @BeforeAll
    static void load() throws Exception {
        labs = new ConfigLoader(Balancers.standard().names()).load(Path.of("examples/labs.yaml"));
    }

    static Explanation explain(BasculeConfig config, String host, String path, String... headers) {
        return Explanation.offline(config, Question.of(host, path, null, null, List.of(headers)));
    }

    /** Each route's verdict: MATCH for the winner, SHADOWED for a later route that matched too, else the why. */
    private static List<String> verdicts(JsonNode e) {
        List<String> out = new ArrayList<>();
        for (JsonNode r : e.get("routes")) {
            out.add(r.get("won").asBoolean() ? MATCH : r.get("matched").asBoolean() ? SHADOWED : r.get("why").asText());
        }
        return out;
    }

    @ParameterizedTest(name = "{0}{1} -> route {2} ({3}) as {4}")
    @CsvSource(delimiter = '|', textBlock = """
            blue.labs.test       | /x               | 0 | web-blue  | /x
            BLUE.labs.test:8080  | /                | 0 | web-blue  | /
            blue.labs.test.      | /green/x         | 0 | web-blue  | /green/x
            green.labs.test      | /                | 1 | web-green | /
            green.labs.test      | /blue/x          | 1 | web-green | /blue/x
            labs.test            | /blue/x          | 2 | web-blue  | /x
            labs.test            | /blue            | 2 | web-blue  | /
            labs.test            | /green/x?y=1     | 3 | web-green | /x?y=1
            labs.test            | /green?y=1       | 3 | web-green | /?y=1
            labs.test            | /greenhouse      | 6 | web-blue  | /greenhouse
            other.test           | /anything        | 6 | web-blue  | /anything
            labs.test            | /                | 6 | web-blue  | /
            app.labs.test        | /green/x         | 3 | web-green | /x
            """)
    void eachRequestTakesTheFirstRouteThatMatches(String host, String path, int route, String upstream,
            String target) {
        Explanation e = explain(labs, host, path);
        JsonNode json = e.json();

        assertThat(e.routed()).isTrue();
        assertThat(json.at("/route/index").asInt()).isEqualTo(route);
        assertThat(json.at("/route/upstream").asText()).isEqualTo(upstream);
        assertThat(json.at("/route/target").asText()).isEqualTo(target);
        assertThat(json.at("/upstream/name").asText()).isEqualTo(upstream);
        assertThat(json.at("/outcome/action").asText()).isEqualTo("forward");
        assertThat(json.at("/outcome/why").asText()).isEqualTo("to upstream " + upstream + " as " + target);
    }

    @Test
    void everyRouteSaysWhetherItMatchedAndWhyNot() {
        // Route by route: blue.labs.test, green.labs.test, /blue (strip), /green (strip),
        // app.labs.test[x-release=green], app (split), /.
        assertThat(verdicts(explain(labs, "blue.labs.test", "/x").json()))
                .containsExactly(MATCH, H, P, P, HX, H, SHADOWED);
        assertThat(verdicts(explain(labs, "blue.labs.test", "/blue/x").json()))
                .containsExactly(MATCH, H, SHADOWED, P, HX, H, SHADOWED);
        assertThat(verdicts(explain(labs, "green.labs.test", "/x").json()))
                .containsExactly(H, MATCH, P, P, HX, H, SHADOWED);
        assertThat(verdicts(explain(labs, "labs.test", "/blue/x").json()))
                .containsExactly(H, H, MATCH, P, HX, H, SHADOWED);
        assertThat(verdicts(explain(labs, "labs.test", "/green/x").json()))
                .containsExactly(H, H, P, MATCH, HX, H, SHADOWED);
        assertThat(verdicts(explain(labs, "labs.test", "/greenhouse").json()))
                .as("a prefix matches whole segments only")
                .containsExactly(H, H, P, P, HX, H, MATCH);
        assertThat(verdicts(explain(labs, "app.labs.test", "/x").json()))
                .containsExactly(H, H, P, P, X, MATCH, SHADOWED);
        assertThat(verdicts(explain(labs, "app.labs.test", "/x", "X-Release: green").json()))
                .containsExactly(H, H, P, P, MATCH, SHADOWED, SHADOWED);
    }

    @Test
    void theRouteListShowsEachRouteAsConfigured() {
        JsonNode routes = explain(labs, "labs.test", "/green/x").json().get("routes");

        assertThat(routes).hasSize(7);
        assertThat(routes.get(0).get("label").asText()).isEqualTo("blue.labs.test");
        assertThat(routes.get(0).get("host").asText()).isEqualTo("blue.labs.test");
        assertThat(routes.get(0).get("path_prefix").isNull()).isTrue();
        assertThat(routes.get(0).get("strip_prefix").asBoolean()).isFalse();
        assertThat(routes.get(0).get("upstream").asText()).isEqualTo("web-blue");
        assertThat(routes.get(3).get("label").asText()).isEqualTo("/green");
        assertThat(routes.get(3).get("host").isNull()).isTrue();
        assertThat(routes.get(3).get("strip_prefix").asBoolean()).isTrue();
        assertThat(routes.get(3).get("why").isNull()).isTrue();
        assertThat(routes.get(4).get("label").asText()).isEqualTo("app.labs.test[x-release=green]");
        assertThat(routes.get(5).get("label").asText()).isEqualTo("app");
        assertThat(routes.get(5).get("host").asText()).isEqualTo("app.labs.test");
        assertThat(routes.get(6).get("label").asText()).isEqualTo("/");
    }

    @Test
    void onAppLabsTestAHeaderPinsARequestToGreenAndTheOthersAreSplit() {
        JsonNode pinned = explain(labs, "app.labs.test", "/x", "X-Release: green").json();
        assertThat(pinned.at("/route/index").asInt()).isEqualTo(4);
        assertThat(pinned.at("/route/upstream").asText()).isEqualTo("web-green");
        assertThat(pinned.at("/outcome/why").asText()).isEqualTo("to upstream web-green as /x");

        JsonNode split = explain(labs, "app.labs.test", "/x", "X-Release: blue").json();
        assertThat(split.at("/route/index").asInt()).isEqualTo(5);
        assertThat(split.at("/route/split/sticky").asText()).isEqualTo("cookie:bascule_release");
        assertThat(split.at("/route/split/sides/0/upstream").asText()).isEqualTo("web-blue");
        assertThat(split.at("/route/split/sides/0/weight").asInt()).isEqualTo(90);
        assertThat(split.at("/route/split/sides/1/weight").asInt()).isEqualTo(10);
        assertThat(split.at("/outcome/why").asText()).isEqualTo("to split web-blue 90, web-green 10 as /x");
    }

    @Test
    void theWinnerSaysWhatItDoesAndListsItsServersWithoutLiveState() {
        JsonNode e = explain(labs, "labs.test", "/green/x").json();

        JsonNode route = e.get("route");
        assertThat(route.get("strip_prefix").asBoolean()).isTrue();
        assertThat(route.at("/retry/attempts").asInt()).isEqualTo(2);
        assertThat(route.at("/retry/on").toString()).isEqualTo("[\"connect_failure\",\"reset\"]");
        assertThat(route.at("/retry/after_sent").asBoolean()).as("GET is idempotent").isTrue();
        assertThat(route.get("max_body_size").isNull()).isTrue();
        assertThat(route.at("/access/verdict").asText()).isEqualTo("allowed");
        assertThat(route.get("rate_limit").isNull()).isTrue();
        JsonNode upstream = e.get("upstream");
        assertThat(upstream.get("balancer").asText()).isEqualTo("round_robin");
        assertThat(upstream.get("servers")).hasSize(2);
        assertThat(upstream.at("/servers/0/address").asText()).isEqualTo("127.0.0.1:9003");
        assertThat(upstream.at("/servers/0/weight").asInt()).isEqualTo(2);
        assertThat(upstream.at("/servers/1/address").asText()).isEqualTo("127.0.0.1:9004");
        assertThat(upstream.at("/servers/0").has("state")).as("no live state offline").isFalse();
        assertThat(upstream.has("next")).isFalse();
        assertThat(e.at("/outcome/unchecked/0").asText()).isEqualTo(OfflineExplain.NO_LIVE_STATE);
        assertThat(e.at("/config/file").asText()).isEqualTo("examples/labs.yaml");
    }

    @Test
    void aPostIsNotRetriedOnceSent() {
        Explanation e = Explanation.offline(labs, Question.of("labs.test", "/", "POST", null, List.of()));
        assertThat(e.json().at("/route/retry/after_sent").asBoolean()).isFalse();
        assertThat(e.json().at("/request/method").asText()).isEqualTo("POST");
    }

    @Test
    void aRequestNoRouteMatchesIsAnswered404AndSaysWhyForEachRoute() throws Exception {
        BasculeConfig config = new ConfigLoader(Balancers.standard().names()).parse("""
                listeners: [ { address: 127.0.0.1:0 } ]
                upstreams: { api: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes:
                  - match: { host: api.labs.test, path_prefix: /v1 }
                    upstream: api
                  - match: { host: "*.labs.test" }
                    upstream: api
                """, "api.yaml");

        Explanation e = explain(config, "labs.test", "/v2");

        assertThat(e.routed()).isFalse();
        assertThat(verdicts(e.json())).containsExactly(B, H);
        assertThat(e.json().at("/routes/0/label").asText()).isEqualTo("api.labs.test/v1");
        assertThat(e.json().at("/routes/1/label").asText()).isEqualTo("*.labs.test");
        assertThat(e.json().get("route").isNull()).isTrue();
        assertThat(e.json().get("upstream").isNull()).isTrue();
        assertThat(e.json().at("/outcome/status").asInt()).isEqualTo(404);
        assertThat(verdicts(explain(config, "api.labs.test", "/v2").json())).containsExactly(P, MATCH);
        assertThat(verdicts(explain(config, "x.labs.test", "/v1").json())).containsExactly(H, MATCH);
    }

    @Test
    void allowDenyAndRateLimitAndHashKeysAreShownFromTheFile() throws Exception {
        BasculeConfig config = new ConfigLoader(Balancers.standard().names()).parse("""
                listeners: [ { address: 127.0.0.1:0 } ]
                upstreams:
                  sticky:
                    balancer: hash
                    hash_key: cookie:session
                    servers: [ { address: 127.0.0.1:9001 }, { address: 127.0.0.1:9002, weight: 3 } ]
                routes:
                  - match: { path_prefix: /admin }
                    upstream: sticky
                    allow: [ 10.0.0.0/8 ]
                    deny: [ 10.9.0.0/16 ]
                    rate_limit: { requests_per_second: 5, burst: 10, key: "header:X-User" }
                    retry: { attempts: 3, on: [ 503, connect_failure ], per_try_timeout: 2s }
                    max_body_size: 1k
                """, "sticky.yaml");

        JsonNode in = Explanation.offline(config, Question.of("a.test", "/admin", null, "10.1.2.3",
                List.of("X-User: ann", "Cookie: theme=dark; session=\"s-42\""))).json();
        assertThat(in.at("/route/access/verdict").asText()).isEqualTo("allowed");
        assertThat(in.at("/route/access/why").asText()).isEqualTo("the client is in the allow list");
        assertThat(in.at("/route/rate_limit/key").asText()).isEqualTo("header:X-User");
        assertThat(in.at("/route/rate_limit/key_value").asText()).isEqualTo("ann");
        assertThat(in.at("/route/rate_limit/burst").asInt()).isEqualTo(10);
        assertThat(in.at("/route/rate_limit").has("tokens")).as("no live state offline").isFalse();
        assertThat(in.at("/route/retry/on").toString()).isEqualTo("[\"connect_failure\",\"503\"]");
        assertThat(in.at("/route/retry/per_try_timeout_ms").asLong()).isEqualTo(2000);
        assertThat(in.at("/route/max_body_size").asLong()).isEqualTo(1024);
        assertThat(in.at("/upstream/hash/key").asText()).isEqualTo("cookie:session");
        assertThat(in.at("/upstream/hash/hashed").asText()).isEqualTo("cookie");
        assertThat(in.at("/upstream/hash/value").asText()).isEqualTo("s-42");
        assertThat(in.at("/outcome/action").asText()).isEqualTo("forward");

        JsonNode denied = Explanation.offline(config, Question.of("a.test", "/admin", null, "10.9.8.7",
                List.of())).json();
        assertThat(denied.at("/route/access/verdict").asText()).isEqualTo("denied");
        assertThat(denied.at("/route/access/why").asText()).isEqualTo("the client is in the deny list");
        assertThat(denied.at("/outcome/status").asInt()).isEqualTo(403);
        assertThat(denied.at("/route/rate_limit/key_value").asText()).as("no header: the client").isEqualTo("10.9.8.7");
        assertThat(denied.at("/upstream/hash/hashed").asText()).as("no cookie: the client").isEqualTo("client_ip");

        JsonNode outside = Explanation.offline(config, Question.of("a.test", "/admin", null, "192.0.2.1",
                List.of())).json();
        assertThat(outside.at("/route/access/why").asText()).isEqualTo("the client is not in the allow list");
        assertThat(outside.at("/outcome/status").asInt()).isEqualTo(403);

        JsonNode unknown = Explanation.offline(config, Question.of("a.test", "/admin", null, null, List.of())).json();
        assertThat(unknown.at("/route/access/verdict").isNull()).isTrue();
        assertThat(unknown.at("/outcome/action").asText()).isEqualTo("forward");
        assertThat(unknown.at("/outcome/unchecked/0").asText()).isEqualTo("allow/deny: no client given");
    }

    @Test
    void theTextNamesEachRouteAndTheWinner() {
        String text = explain(labs, "labs.test", "/green/x").text();

        assertThat(text).startsWith("GET labs.test/green/x, no client given  (examples/labs.yaml)\n");
        assertThat(text).contains(
                "  0  blue.labs.test                  -> web-blue                         no: host did not match\n",
                "  2  /blue (strip)                   -> web-blue                         no: path prefix did not"
                        + " match\n",
                "  3  /green (strip)                  -> web-green                        MATCH, wins\n",
                "  5  app                             -> split web-blue 90, web-green 10  no: host did not match\n",
                "  6  /                               -> web-blue                         matches too, but route 3"
                        + " comes first\n",
                "route 3 (/green) -> upstream web-green\n",
                "  target sent:    /x (strip_prefix removes /green)\n",
                "upstream web-green, balancer round_robin\n",
                "  127.0.0.1:9003  weight 2\n",
                "outcome: forward, to upstream web-green as /x\n");
    }
}
