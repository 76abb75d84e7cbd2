package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.testing.EtcdProcess;
import dev.bascule.testing.RedisProcess;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bascule run on its runtime classpath alone, as the jar packs it (not the tests' classpath, which carries test
 * libraries that can hide a dependency missing at run time): {@code push} reaches etcd through its client, and an
 * instance of the fleet answers a request whose global rate limit is counted in Redis.
 */
class RuntimeClasspathTest {
    @TempDir
    Path dir;

    @Test
    void pushAndAFleetInstanceWithAGlobalLimitRunOnTheRuntimeClasspath() throws Exception {
        Path runtime = Path.of("target/runtime.classpath");
        assertThat(runtime).as("written by the build (maven-dependency-plugin)").exists();
        String classpath = "target/classes" + File.pathSeparator + Files.readString(runtime).trim();
        try (EtcdProcess etcd = EtcdProcess.start(); RedisProcess redis = RedisProcess.start()) {
            String cluster = "cluster: { name: rt, node: solo, etcd: { endpoints: [ \"" + etcd.endpoint() + "\" ] } }\n";
            Path shared = dir.resolve("shared.yaml");
            Files.writeString(shared, cluster + "access_log: { to: off }\n"
                    + "redis: { address: " + redis.address() + ", timeout: 1s }\n"
                    + "upstreams: { web: { servers: [ { address: 127.0.0.1:1 } ] } }\n"
                    + "routes: [ { match: { path_prefix: / }, upstream: web,"
                    + " rate_limit: { requests_per_second: 1, burst: 1, scope: global } } ]\n");
            Process push = java(classpath, "push", "-c", shared.toString());
            assertThat(push.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String pushed = new String(push.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(push.exitValue()).as(pushed).isZero();
            assertThat(pushed).contains("pushed to fleet rt as revision");

            Path local = dir.resolve("solo.yaml");
            Files.writeString(local, cluster + "listeners: [ { address: 127.0.0.1:0 } ]\nstate_file: off\n");
            Process instance = java(classpath, "run", "-c", local.toString());
            Path log = dir.resolve("solo.log");
            try {
                // The log does not name the port 0 became: /proc does.
                await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(log)
                        && Files.readString(log).contains("fleet rt: joined as node solo"));
                int port = listeningPort(instance.pid());
                HttpClient client = HttpClient.newHttpClient();
                HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                        .timeout(Duration.ofSeconds(5)).build();
                // The first takes the bucket's one token (then 502: nothing listens on port 1), the second is over.
                assertThat(client.send(get, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(502);
                assertThat(client.send(get, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(429);
                assertThat(Files.readString(log)).doesNotContain("NoClassDefFoundError", "ClassNotFoundException");
            } finally {
                instance.destroy();
                instance.waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    private Process java(String classpath, String... args) throws Exception {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new java.util.ArrayList<>(List.of(javaBin.toString(), "-cp", classpath,
                "dev.bascule.Main"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (args[0].equals("run")) {
            pb.redirectOutput(dir.resolve("solo.log").toFile());
        }
        return pb.start();
    }

    /** The one TCP port the process listens on, from /proc (the admin API is off). */
    private static int listeningPort(long pid) throws Exception {
        java.util.Set<String> inodes = new java.util.HashSet<>();
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (java.io.IOException gone) {
                    // closed meanwhile
                }
            }
        }
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[3].equals("0A") && inodes.contains(f[9])) { // 0A: LISTEN
                    return Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1), 16);
                }
            }
        }
        throw new AssertionError("no listening socket found for pid " + pid);
    }
}
