package dev.bascule.config;

import static dev.bascule.config.ConfigErrorsTest.errors;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code split}, {@code sticky} and {@code state_file}: what they bind to, and every mistake at its position. */
class SplitConfigTest {
    private static final String HEAD = """
            listeners: [ { address: 127.0.0.1:8080 } ]
            upstreams:
              web-blue: { servers: [ { address: 127.0.0.1:9001 } ] }
              web-green: { servers: [ { address: 127.0.0.1:9002 } ] }
            """;

    @Test
    void aSplitRouteBindsItsSidesInOrderAndItsStickyKey() throws Exception {
        BasculeConfig c = ConfigLoaderTest.LOADER.parse(HEAD + """
                routes:
                  - name: app
                    match: { host: labs.test }
                    split:
                      - { upstream: web-blue, weight: 90 }
                      - { upstream: web-green, weight: 10 }
                    sticky: { key: cookie:bascule_release }
                  - split: [ { upstream: web-green, weight: 100 }, { upstream: web-blue, weight: 0 } ]
                  - split: [ { upstream: web-blue, weight: 50 }, { upstream: web-green, weight: 50 } ]
                    sticky: { key: "header:X-User" }
                """, "t.yaml");
        RouteConfig app = c.routes().get(0);
        assertThat(app.upstream()).isNull();
        assertThat(app.upstreamLabel()).as("what no side answered").isEmpty();
        assertThat(app.split()).isEqualTo(new SplitConfig(List.of(new SplitConfig.Side("web-blue", 90),
                new SplitConfig.Side("web-green", 10)), new HashKeyConfig(HashKeyConfig.Source.COOKIE, "bascule_release")));
        assertThat(app.split().weights()).containsExactly(Map.entry("web-blue", 90), Map.entry("web-green", 10));
        assertThat(c.routes().get(1).split().sticky()).as("by turns").isNull();
        assertThat(c.routes().get(1).split().weights().keySet()).containsExactly("web-green", "web-blue");
        assertThat(c.routes().get(2).split().sticky()).isEqualTo(new HashKeyConfig(HashKeyConfig.Source.HEADER, "X-User"));
        assertThat(app.withSplit(app.split().withWeights(Map.of("web-blue", 80, "web-green", 20))).split().weights())
                .containsExactly(Map.entry("web-blue", 80), Map.entry("web-green", 20));
        assertThat(c.stateFile()).as("parsed text keeps no state unless it says where").isNull();
    }

    @Test
    void splitMistakes() {
        assertThat(errors(HEAD + """
                routes:
                  - split: [ { upstream: web-blue, weight: 90 }, { upstream: web-green, weight: 5 } ]
                  - split: [ { upstream: web-blue, weight: 100 } ]
                  - split: [ { upstream: web-blue, weight: 50 }, { upstream: web-blue, weight: 50 } ]
                  - split: [ { upstream: web-red, weight: 50 }, { upstream: web-green, weight: 50 } ]
                  - split: [ { upstream: web-blue, weight: 101 }, { upstream: web-green, weight: "1.5" } ]
                  - split: [ { upstream: web-blue }, { weight: 50, upstrem: web-green } ]
                  - split: { upstream: web-blue, weight: 100 }
                """)).containsExactly(
                "t.yaml:6:12: split weights add up to 95; they are percentages and must add up to 100",
                "t.yaml:7:12: a split needs at least two upstreams; a route to one upstream is written 'upstream: NAME'",
                "t.yaml:8:62: upstream 'web-blue' is already in this split",
                "t.yaml:9:26: unknown upstream 'web-red'",
                "t.yaml:10:44: weight must be an integer from 0 to 100, found '101'",
                "t.yaml:10:82: weight must be an integer from 0 to 100, found '1.5'",
                "t.yaml:11:14: missing 'weight' in a split entry",
                "t.yaml:11:38: missing 'upstream' in a split entry",
                "t.yaml:11:52: unknown key 'upstrem' in a split entry (did you mean 'upstream'?); allowed keys:"
                        + " upstream, weight",
                "t.yaml:12:12: 'split' must be a list, found a mapping");
    }

    @Test
    void aSplitIsAloneAndStickyNeedsOne() {
        assertThat(errors(HEAD + """
                routes:
                  - upstream: web-blue
                    split: [ { upstream: web-blue, weight: 50 }, { upstream: web-green, weight: 50 } ]
                  - redirect: { to: /x }
                    split: [ { upstream: web-blue, weight: 50 }, { upstream: web-green, weight: 50 } ]
                  - upstream: web-blue
                    sticky: { key: client_ip }
                  - split: [ { upstream: web-blue, weight: 50 }, { upstream: web-green, weight: 50 } ]
                    sticky: { key: cookie }
                  - split: [ { upstream: web-blue, weight: 50 }, { upstream: web-green, weight: 50 } ]
                    sticky: { key: "cookie:a b", by: x }
                """)).containsExactly(
                "t.yaml:7:5: a route has 'upstream' or 'split', not both: a split names its upstreams itself",
                "t.yaml:9:5: a route has 'split' or 'redirect', not both: a redirect is answered by Bascule itself",
                "t.yaml:11:5: 'sticky' needs a 'split': it keeps a client on one side of the split",
                "t.yaml:13:20: bad sticky key 'cookie', expected cookie:NAME, client_ip or header:NAME",
                "t.yaml:15:20: bad sticky key 'cookie:a b': the cookie name must be a token (letters, digits and"
                        + " !#$%&'*+-.^_`|~)",
                "t.yaml:15:34: unknown key 'by' in 'sticky'; allowed keys: key");
    }

    @Test
    void aSplitRouteMirrorsToAnUpstreamThatIsNoneOfItsSides() throws Exception {
        String head = HEAD + "  web-shadow: { servers: [ { address: 127.0.0.1:9003 } ] }\n";
        BasculeConfig c = ConfigLoaderTest.LOADER.parse(head + """
                routes:
                  - name: app
                    split: [ { upstream: web-blue, weight: 90 }, { upstream: web-green, weight: 10 } ]
                    mirror: { upstream: web-shadow, percent: 10 }
                """, "t.yaml");
        assertThat(c.routes().get(0).mirror()).isEqualTo(new MirrorConfig("web-shadow", 100_000, 100));
        assertThat(c.routes().get(0).split().weights()).containsOnlyKeys("web-blue", "web-green");

        assertThat(errors(head + """
                routes:
                  - split: [ { upstream: web-blue, weight: 100 }, { upstream: web-green, weight: 0 } ]
                    mirror: { upstream: web-green }
                  - split: [ { upstream: web-blue, weight: 50 }, { upstream: web-green, weight: 50 } ]
                    mirror: { upstream: web-red, share: 1 }
                  - split: [ { upstream: web-blue, weight: 50 } ]
                    mirror: { upstream: web-shadow, percent: 0 }
                """)).containsExactly(
                "t.yaml:8:25: a split route cannot mirror to 'web-green', one of its sides: the requests the split"
                        + " sends there would reach the same servers twice",
                "t.yaml:10:25: unknown upstream 'web-red'",
                "t.yaml:10:34: unknown key 'share' in 'mirror'; allowed keys: upstream, percent, max_in_flight",
                "t.yaml:11:12: a split needs at least two upstreams; a route to one upstream is written 'upstream:"
                        + " NAME'",
                "t.yaml:12:46: percent must be a number above 0 and at most 100 with at most four decimals, such as"
                        + " 10 or 0.5, found '0'");
    }

    @Test
    void theStateFileDefaultsToBesideTheConfigFile(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("labs.yaml");
        Files.writeString(file, HEAD + "routes: [ { upstream: web-blue } ]\n");
        assertThat(ConfigLoaderTest.LOADER.load(file).stateFile()).isEqualTo(tmp.resolve("labs.state.json"));
        Files.writeString(file, HEAD + "routes: [ { upstream: web-blue } ]\nstate_file: run/labs.json\n");
        assertThat(ConfigLoaderTest.LOADER.load(file).stateFile()).isEqualTo(tmp.resolve("run/labs.json"));
        Files.writeString(file, HEAD + "routes: [ { upstream: web-blue } ]\nstate_file: off\n");
        assertThat(ConfigLoaderTest.LOADER.load(file).stateFile()).isNull();
        assertThat(ConfigLoader.stateFileName(Path.of("bascule"))).isEqualTo("bascule.state.json");
        assertThat(errors(HEAD + "routes: [ { upstream: web-blue } ]\nstate_file: false\n"))
                .containsExactly("t.yaml:6:13: bad state_file 'false', expected a file path or off");
    }
}
