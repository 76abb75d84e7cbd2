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
import org.junit.jupiter.api.Test;

/** A split route explained from the file and live: its sides, and the side a request goes to, as JSON and text. */
class SplitExplainTest {
    private static final String YAML = """
            listeners: [ { address: 127.0.0.1:0 } ]
            upstreams:
              web-blue: { servers: [ { address: 127.0.0.1:9001 } ] }
              web-green: { servers: [ { address: 127.0.0.1:9002 } ] }
            routes:
              - name: app
                split: [ { upstream: web-blue, weight: 90 }, { upstream: web-green, weight: 10 } ]
                sticky: { key: cookie:release }
            """;

    @Test
    void fromTheFileTheSplitIsShownWithItsWeights() throws Exception {
        BasculeConfig config = new ConfigLoader(Balancers.standard().names()).parse(YAML, "t.yaml");
        Explanation e = Explanation.offline(config, Question.of("labs.test", "/", null, null, List.of()));
        JsonNode json = e.json();
        assertThat(json.at("/routes/0/upstream").asText()).isEqualTo("split web-blue 90, web-green 10");
        assertThat(json.at("/route/split/sides/1/weight").asInt()).isEqualTo(10);
        assertThat(json.at("/route/split/sticky").asText()).isEqualTo("cookie:release");
        assertThat(json.at("/outcome/why").asText()).isEqualTo("to split web-blue 90, web-green 10 as /");
        assertThat(e.text()).contains("route 0 (app) -> split web-blue 90, web-green 10",
                "split:          web-blue 90, web-green 10", "side:           sticky by cookie:release");
    }

    @Test
    void liveTheSideOfTheRequestsKeyIsShownAndItsUpstream() throws Exception {
        BasculeConfig config = new ConfigLoader(Balancers.standard().names()).parse(YAML, "t.yaml");
        try (ControlPlane control = ControlPlane.start(config, Balancers.standard(), Resolver.SYSTEM,
                Clock.systemUTC(), System::nanoTime, Executors.newSingleThreadScheduledExecutor())) {
            Explanation without = Explanation.live(control.live().get(),
                    Question.of("labs.test", "/", null, null, List.of()), control.nanoTime());
            assertThat(without.json().at("/route/split/upstream").isNull()).isTrue();
            assertThat(without.json().at("/upstream").isNull()).isTrue();
            assertThat(without.json().at("/outcome/unchecked/0").asText()).startsWith("split side: no cookie release:"
                    + " Bascule sets one with a random value");

            Explanation with = Explanation.live(control.live().get(),
                    Question.of("labs.test", "/", null, null, List.of("cookie:release=abc")), control.nanoTime());
            String side = with.json().at("/route/split/upstream").asText();
            assertThat(side).isIn("web-blue", "web-green");
            assertThat(with.json().at("/upstream/name").asText()).isEqualTo(side);
            assertThat(with.json().at("/outcome/why").asText()).isEqualTo("to upstream " + side + " as /");
            assertThat(with.text()).containsPattern("side: +sticky by cookie:release; this request: " + side);
        }
    }
}
