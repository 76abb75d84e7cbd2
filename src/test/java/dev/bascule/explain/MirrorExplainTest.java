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

/** A route's mirror, explained from the file and from the running snapshot (with its copies out now). */
class MirrorExplainTest {
    private static final String YAML = """
            listeners: [ { address: 127.0.0.1:0 } ]
            upstreams:
              web-blue: { servers: [ { address: 127.0.0.1:9001 } ] }
              web-green: { servers: [ { address: 127.0.0.1:9002 } ] }
            routes:
              - match: { path_prefix: /api }
                upstream: web-blue
                mirror: { upstream: web-green, percent: 12.5, max_in_flight: 40 }
              - match: { path_prefix: / }
                upstream: web-blue
            """;
    private static BasculeConfig config;
    private static ControlPlane control;

    @BeforeAll
    static void load() throws Exception {
        config = new ConfigLoader(Balancers.standard().names()).parse(YAML, "mirror.yaml");
        control = ControlPlane.start(config, Balancers.standard(), Resolver.SYSTEM, Clock.systemUTC(), System::nanoTime,
                Executors.newSingleThreadScheduledExecutor());
    }

    @AfterAll
    static void stop() {
        control.close();
    }

    private static Question q(String path) {
        return Question.of("labs.test", path, null, null, List.of());
    }

    @Test
    void theWinningRoutesMirrorIsShownFromTheFile() {
        Explanation e = Explanation.offline(config, q("/api/x"));

        JsonNode mirror = e.json().at("/route/mirror");
        assertThat(mirror.get("upstream").asText()).isEqualTo("web-green");
        assertThat(mirror.get("percent").decimalValue()).isEqualByComparingTo("12.5");
        assertThat(mirror.get("max_in_flight").asInt()).isEqualTo(40);
        assertThat(mirror.has("in_flight")).as("no live state from a file").isFalse();
        assertThat(e.text()).contains(
                "  mirror:         12.5% of requests copied to web-green, answers discarded; at most 40 in flight\n");
    }

    @Test
    void theRunningProxyAddsTheCopiesOutNow() {
        Explanation e = Explanation.live(control.live().get(), q("/api/x"), System.nanoTime());

        JsonNode mirror = e.json().at("/route/mirror");
        assertThat(mirror.get("upstream").asText()).isEqualTo("web-green");
        assertThat(mirror.get("percent").decimalValue()).isEqualByComparingTo("12.5");
        assertThat(mirror.get("in_flight").asInt()).isZero();
        assertThat(mirror.get("routable").asBoolean()).isTrue();
        assertThat(e.text()).contains("  mirror:         12.5% of requests copied to web-green, answers discarded;"
                + " at most 40 in flight (0 now)\n");
    }

    @Test
    void aRouteWithoutAMirrorSaysNull() {
        assertThat(Explanation.offline(config, q("/x")).json().at("/route/mirror").isNull()).isTrue();
        JsonNode live = Explanation.live(control.live().get(), q("/x"), System.nanoTime()).json();
        assertThat(live.at("/route/mirror").isNull()).isTrue();
        assertThat(Explanation.offline(config, q("/x")).text()).doesNotContain("mirror:");
    }
}
