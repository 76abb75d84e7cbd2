package dev.bascule.explain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bascule.balance.Balancers;
import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ConfigLoader;
import dev.bascule.control.ControlPlane;
import dev.bascule.control.Resolver;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Header, cookie, query and method conditions and redirect routes, explained from the file and from the running
 * snapshot alike: each condition with what the request had, why a route missed, and what a redirect answers.
 */
class ConditionsExplainTest {
    private static final String YAML = """
            listeners: [ { address: 127.0.0.1:0 } ]
            upstreams:
              web-blue: { servers: [ { address: 127.0.0.1:9001 } ] }
              web-green: { servers: [ { address: 127.0.0.1:9002 } ] }
            routes:
              - match: { host: labs.test, header: { x-release: green }, cookie: { tier: beta } }
                upstream: web-green
              - match: { host: labs.test, query: { v: "2" }, method: [ GET, HEAD ] }
                upstream: web-green
                request_headers: { set: { x-env: prod }, remove: [ x-debug ] }
              - match: { path_prefix: /old }
                redirect: { to: "https://labs.test/new", status: 301, keep_path: true }
                response_headers: { set: { x-served-by: bascule } }
              - match: { path_prefix: / }
                upstream: web-blue
            """;
    private static BasculeConfig config;
    private static ControlPlane control;

    @BeforeAll
    static void load() throws Exception {
        config = new ConfigLoader(Balancers.standard().names()).parse(YAML, "release.yaml");
        control = ControlPlane.start(config, Balancers.standard(), Resolver.SYSTEM, Clock.systemUTC(), System::nanoTime,
                Executors.newSingleThreadScheduledExecutor());
    }

    @AfterAll
    static void stop() {
        control.close();
    }

    private static Question q(String host, String path, String method, String... headers) {
        return Question.of(host, path, method, null, List.of(headers));
    }

    /** Offline and live must say the same about every route; returns the offline JSON. */
    private static JsonNode both(Question q) {
        JsonNode offline = Explanation.offline(config, q).json();
        JsonNode live = Explanation.live(control.live().get(), q, System.nanoTime()).json();
        assertThat(live.get("routes")).as("the running routes agree with the file").isEqualTo(offline.get("routes"));
        assertThat(live.at("/outcome/status")).isEqualTo(offline.at("/outcome/status"));
        return offline;
    }

    @Test
    void eachConditionSaysWhatTheRequestHadAndWhyTheRouteMissed() {
        JsonNode e = both(q("labs.test", "/x?v=1", "POST", "X-Release: blue"));

        JsonNode first = e.at("/routes/0");
        assertThat(first.get("label").asText()).isEqualTo("labs.test[x-release=green,cookie:tier=beta]");
        assertThat(first.get("matched").asBoolean()).isFalse();
        assertThat(first.get("why").asText())
                .isEqualTo("header x-release is 'blue', not 'green'; cookie tier is absent");
        assertThat(first.at("/conditions/0/kind").asText()).isEqualTo("header");
        assertThat(first.at("/conditions/0/found").asText()).isEqualTo("blue");
        assertThat(first.at("/conditions/0/held").asBoolean()).isFalse();
        assertThat(first.at("/conditions/1/found").isNull()).isTrue();

        JsonNode second = e.at("/routes/1");
        assertThat(second.get("why").asText())
                .isEqualTo("query parameter v is '1', not '2'; method POST is not GET or HEAD");
        assertThat(second.at("/conditions/1/methods").toString()).isEqualTo("[\"GET\",\"HEAD\"]");
        assertThat(e.at("/routes/2/why").asText()).isEqualTo("path prefix did not match");
        assertThat(e.at("/route/index").asInt()).isEqualTo(3);

        JsonNode other = both(q("other.test", "/x", null, "x-release: green", "cookie: tier=beta"));
        assertThat(other.at("/routes/0/why").asText()).as("the host first, then nothing else missed")
                .isEqualTo("host did not match");
    }

    @Test
    void theRouteWhoseConditionsAllHoldWinsWithItsHeaderEdits() {
        JsonNode pinned = both(q("labs.test", "/x", null, "x-release: green", "Cookie: a=1; tier=beta"));
        assertThat(pinned.at("/route/index").asInt()).isEqualTo(0);
        assertThat(pinned.at("/routes/0/conditions/1/found").asText()).isEqualTo("beta");
        assertThat(pinned.at("/outcome/action").asText()).isEqualTo("forward");

        JsonNode byQuery = both(q("labs.test", "/x?v=2", "HEAD"));
        assertThat(byQuery.at("/route/index").asInt()).isEqualTo(1);
        assertThat(byQuery.at("/route/request_headers/set/x-env").asText()).isEqualTo("prod");
        assertThat(byQuery.at("/route/request_headers/remove/0").asText()).isEqualTo("x-debug");
        assertThat(Explanation.offline(config, q("labs.test", "/x?v=2", null)).text())
                .contains("  request headers:  remove x-debug; set x-env: prod\n");
    }

    @Test
    void aRedirectRouteSaysWhereItSendsTheClient() {
        JsonNode e = both(q("labs.test", "/old/a?b=1", null));
        assertThat(e.at("/routes/2/redirect").asText()).isEqualTo("301 https://labs.test/new (keep_path)");
        assertThat(e.at("/routes/2/upstream").isNull()).isTrue();
        assertThat(e.at("/route/redirect/location").asText()).isEqualTo("https://labs.test/new/a?b=1");
        assertThat(e.at("/route/response_headers/set/x-served-by").asText()).isEqualTo("bascule");
        assertThat(e.get("upstream").isNull()).isTrue();
        assertThat(e.at("/outcome/action").asText()).isEqualTo("answer");
        assertThat(e.at("/outcome/status").asInt()).isEqualTo(301);
        assertThat(e.at("/outcome/why").asText()).isEqualTo("redirect to https://labs.test/new/a?b=1");

        String text = Explanation.offline(config, q("labs.test", "/old/a?b=1", null)).text();
        assertThat(text).contains(
                "  2  /old                                         -> redirect 301 https://labs.test/new (keep_path)"
                        + "  MATCH, wins\n",
                "route 2 (/old) -> redirect\n",
                "  redirect:          301 to https://labs.test/new/a?b=1 (keep_path)\n",
                "  response headers:  set x-served-by: bascule\n",
                "outcome: answer 301, redirect to https://labs.test/new/a?b=1\n");
    }
}
