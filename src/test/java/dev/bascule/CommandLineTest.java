package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code bascule} command line as an operator uses it: validate, explain, help, version. */
class CommandLineTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void validatePrintsEachErrorWithFileLineAndColumnAndExits1() throws Exception {
        Path file = dir.resolve("labs.yaml");
        Files.writeString(file, """
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams:
                  web-blue: { servers: [ { address: 127.0.0.1:9001, weight: 0 } ] }
                routes:
                  - upstream: web-red
                """);
        Run r = run("validate", "-c", file.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains(file + ":3:61: weight must be an integer from 1 to 1000, found '0'",
                file + ":5:15: unknown upstream 'web-red'");
    }

    @Test
    void validateAcceptsTheShippedExample() {
        Run r = run("validate", "-c", "examples/labs.yaml");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("examples/labs.yaml: ok");
    }

    @Test
    void helpAndVersion() {
        Run help = run("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("run", "validate", "explain", "import-nginx", "demo");
        Run version = run("--version");
        assertThat(version.exit()).isZero();
        assertThat(version.out()).startsWith("bascule ");
    }

    @Test
    void runWithABrokenConfigExits1WithoutStarting() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "listeners: [ { address: nowhere } ]\n");
        assertThat(run("run", "-c", file.toString()).exit()).isEqualTo(1);
    }

    @Test
    void runOnAPortAlreadyTakenExits1() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Path file = dir.resolve("taken.yaml");
            Files.writeString(file, """
                    listeners: [ { address: 127.0.0.1:%d } ]
                    upstreams: { web: { servers: [ { address: 127.0.0.1:9 } ] } }
                    routes: [ { upstream: web } ]
                    """.formatted(taken.getLocalPort()));
            assertThat(run("run", "-c", file.toString()).exit()).isEqualTo(1);
        }
    }

    @Test
    void explainPrintsEveryRouteWithWhyAndTheWinnerAndExits0() {
        Run r = run("explain", "-c", "examples/labs.yaml", "--host", "labs.test", "--path", "/green/x?y=1",
                "--client", "10.1.2.3", "--header", "X-User: ann");

        assertThat(r.exit()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("""
                GET labs.test/green/x?y=1, client 10.1.2.3  (examples/labs.yaml)
                  X-User: ann

                routes, first match wins:
                  0  blue.labs.test                  -> web-blue                         no: host did not match
                  1  green.labs.test                 -> web-green                        no: host did not match
                  2  /blue (strip)                   -> web-blue                         no: path prefix did not match
                  3  /green (strip)                  -> web-green                        MATCH, wins
                  4  app.labs.test[x-release=green]  -> web-green                        no: host did not match; header x-release is absent
                  5  app                             -> split web-blue 90, web-green 10  no: host did not match
                  6  /                               -> web-blue                         matches too, but route 3 comes first

                route 3 (/green) -> upstream web-green
                  target sent:    /x?y=1 (strip_prefix removes /green)
                  retry:          2 attempts on connect_failure, reset; retried after sending: yes
                  max body size:  no limit
                  websocket:      tunnelled
                  access:         allowed: the route has no allow or deny list
                  rate limit:     none

                upstream web-green, balancer round_robin
                  127.0.0.1:9003  weight 2
                  127.0.0.1:9004  weight 1

                outcome: forward, to upstream web-green as /x?y=1
                not checked: server states and rate-limit tokens: explained from the file, not a running proxy
                """);
    }

    @Test
    void explainJsonHasTheAdminApisShape() throws Exception {
        Run r = run("explain", "-c", "examples/labs.yaml", "--host", "blue.labs.test", "--path", "/x", "--json");

        assertThat(r.exit()).isZero();
        JsonNode e = new ObjectMapper().readTree(r.out());
        List<String> keys = new ArrayList<>();
        e.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("request", "config", "routes", "route", "upstream", "outcome");
        assertThat(e.at("/request/method").asText()).isEqualTo("GET");
        assertThat(e.get("routes")).hasSize(7);
        assertThat(e.at("/routes/0/won").asBoolean()).isTrue();
        assertThat(e.at("/routes/1/why").asText()).isEqualTo("host did not match");
        assertThat(e.at("/routes/6/matched").asBoolean()).isTrue();
        assertThat(e.at("/route/upstream").asText()).isEqualTo("web-blue");
        assertThat(e.at("/route/target").asText()).isEqualTo("/x");
        assertThat(e.at("/upstream/servers/0/address").asText()).isEqualTo("127.0.0.1:9001");
        assertThat(e.at("/outcome/action").asText()).isEqualTo("forward");
    }

    @Test
    void explainExits2WhenNoRouteMatches() throws Exception {
        Path file = dir.resolve("api.yaml");
        Files.writeString(file, """
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams: { api: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes:
                  - match: { host: api.labs.test, path_prefix: /v1 }
                    upstream: api
                """);

        Run text = run("explain", "-c", file.toString(), "--host", "labs.test", "--path", "/v2");
        assertThat(text.exit()).isEqualTo(2);
        assertThat(text.out()).contains(
                "  0  api.labs.test/v1  -> api  no: neither host nor path prefix matched\n",
                "outcome: answer 404, no route matched\n");
        Run json = run("explain", "-c", file.toString(), "--host", "api.labs.test", "--path", "/v2", "--json");
        assertThat(json.exit()).isEqualTo(2);
        assertThat(json.out()).contains("\"why\" : \"path prefix did not match\"", "\"route\" : null");
    }

    @Test
    void explainExits1OnAConfigErrorPrintedLikeValidate() throws Exception {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, """
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams:
                  web-blue: { servers: [ { address: 127.0.0.1:9001 } ] }
                routes:
                  - upstream: web-red
                """);

        Run r = run("explain", "-c", file.toString(), "--host", "a.test", "--path", "/");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains(file + ":5:15: unknown upstream 'web-red'");
    }

    @Test
    void explainExits1OnABadArgument() {
        Run badClient = run("explain", "-c", "examples/labs.yaml", "--host", "a.test", "--path", "/", "--client",
                "blue.labs.test");
        assertThat(badClient.exit()).isEqualTo(1);
        assertThat(badClient.err()).contains("bad client 'blue.labs.test': expected an IP address such as 10.1.2.3");
        Run badPath = run("explain", "-c", "examples/labs.yaml", "--host", "a.test", "--path", "x");
        assertThat(badPath.exit()).isEqualTo(1);
        assertThat(badPath.err()).contains("bad path 'x'");
        Run noHost = run("explain", "-c", "examples/labs.yaml", "--path", "/");
        assertThat(noHost.exit()).as("not 2, which means no route").isEqualTo(1);
        assertThat(noHost.err()).contains("Missing required option: '--host=<host>'");
    }

    @Test
    void importNginxPrintsTheYamlOnStdoutAndWhatItLeftOutOnStderr() throws Exception {
        Path conf = dir.resolve("nginx.conf");
        Files.copy(Path.of("src/test/resources/nginx/seed-nginx.conf"), conf);
        Run r = run("import-nginx", conf.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("# Translated from " + conf + " by bascule import-nginx.")
                .contains("listeners:", "upstreams:", "routes:", "  - match: { host: blue.labs.com.br }");
        assertThat(r.err().lines().toList()).containsExactly(
                conf + ":1: directive 'events' not translated: Bascule has no worker processes: its event loops"
                        + " are set with run --threads",
                conf + ":2: directive 'worker_connections' not translated: Bascule limits client connections per"
                        + " listener: limits.max_connections");

        Path yaml = dir.resolve("bascule.yaml");
        Files.writeString(yaml, r.out());
        assertThat(run("validate", "-c", yaml.toString()).exit()).as("what it prints validates").isZero();
    }

    @Test
    void importNginxExits1OnWhatNginxWouldRefuseOrWhatIsNoConfigYet() throws Exception {
        Path broken = dir.resolve("broken.conf");
        Files.writeString(broken, "http {\n    server { listen 80 }\n}\n");
        Run syntax = run("import-nginx", broken.toString());
        assertThat(syntax.exit()).isEqualTo(1);
        assertThat(syntax.out()).isEmpty();
        assertThat(syntax.err()).isEqualTo(broken + ":2: unexpected '}' after 'listen 80': a directive ends with"
                + " ';'\n");

        Path files = dir.resolve("files.conf");
        Files.writeString(files, "http {\n    server { listen 80; root /srv/www; }\n}\n");
        Run noRoute = run("import-nginx", files.toString());
        assertThat(noRoute.exit()).isEqualTo(1);
        assertThat(noRoute.out()).contains("listeners:");
        assertThat(noRoute.err()).contains(files + ":2: directive 'root' not translated: Bascule serves no files",
                "the translation is not a valid Bascule config yet:", "imported.yaml:");

        Run missing = run("import-nginx", dir.resolve("none.conf").toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).startsWith(dir.resolve("none.conf") + ": cannot read:");
    }
}
