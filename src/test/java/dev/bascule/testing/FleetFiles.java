package dev.bascule.testing;

import dev.bascule.Push;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * The files a fleet test writes, and the commands it runs on them: an instance's bootstrap file (its {@code
 * cluster} section, a listener and an admin API on free ports) started as {@code ./bascule run -c FILE} does, a
 * shared config of one upstream, and {@code ./bascule push}.
 */
public final class FleetFiles {
    private FleetFiles() {}

    /** The {@code cluster} section of fleet {@code labs} over one etcd endpoint, with a one-second dial timeout. */
    public static String cluster(String endpoint) {
        return "cluster:\n  name: labs\n  etcd: { endpoints: [ \"" + endpoint + "\" ], dial_timeout: 1s }\n";
    }

    /**
     * Writes {@code node}'s bootstrap file in {@code dir} and starts the instance: {@code cluster} (a section that
     * ends with its etcd line, so the node's name joins it), a listener on 127.0.0.1 and the admin API on
     * 127.0.0.2, both on free ports, and no state file.
     */
    public static ProxyUnderTest startInstance(Path dir, String cluster, String node) throws Exception {
        return startInstance(dir, cluster, node, "state_file: off\n");
    }

    /** As {@link #startInstance(Path, String, String)}, with {@code more} (top-level lines) instead of no state file. */
    public static ProxyUnderTest startInstance(Path dir, String cluster, String node, String more) throws Exception {
        Path file = dir.resolve(node + ".yaml");
        Files.writeString(file, cluster + "  node: " + node + "\n"
                + "listeners: [ { address: 127.0.0.1:0 } ]\n"
                + "admin: { address: 127.0.0.2:0 }\n"
                + more);
        return ProxyUnderTest.run(file, 1);
    }

    /** Writes a shared config in {@code dir}: upstream {@code web} of one server, every request to it, no access log. */
    public static Path sharedConfig(Path dir, String name, String cluster, String serverAddress) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, cluster
                + "access_log: { to: off }\n"
                + "upstreams:\n  web: { servers: [ { address: " + serverAddress + " } ] }\n"
                + "routes:\n  - { match: { path_prefix: / }, upstream: web }\n");
        return file;
    }

    /** What {@code ./bascule push} said and how it exited. */
    public record Pushed(int exit, String out, String err) {}

    /** Runs {@code ./bascule push} with {@code args} in this JVM. */
    public static Pushed push(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new Push()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(args);
        return new Pushed(exit, out.toString(), err.toString());
    }
}
