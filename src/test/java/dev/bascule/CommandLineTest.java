package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code bascule} command line as an operator uses it: validate, help, version. */
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
        assertThat(help.out()).contains("run", "validate", "demo");
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
}
