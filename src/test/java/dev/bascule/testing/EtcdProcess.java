package dev.bascule.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real etcd server (Debian's {@code etcd-server}) on ephemeral loopback ports, in a temporary data folder,
 * without fsync (tests need no durability), or a cluster of them. Stopping one and starting it again keeps its
 * ports and data, as a restarted member would. With {@link Tls}, its client URL is https and it asks every client
 * for a certificate its CA signed; its health is then read from a plain-http metrics URL, which needs none.
 *
 * <p>Tests are skipped, with a message, where etcd is not installed; {@code .ci/run} installs it, so CI runs them.
 */
public final class EtcdProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final String name;
    private final Path dataDir;
    private final int clientPort;
    private final int peerPort;
    private final String initialCluster;
    private final String clusterState;
    /** Null for plain http. */
    private final Tls tls;
    /** Serves {@code /health} over plain http, so a TLS etcd's health is read without a client certificate. */
    private final int metricsPort;
    private Process process;

    /**
     * The client side's TLS: etcd's certificate and key, and the CA whose certificates it takes from clients
     * ({@code --client-cert-auth}).
     */
    public record Tls(Path cert, Path key, Path trustedCa) {}

    private EtcdProcess(String name, Path dataDir, int clientPort, int peerPort, String initialCluster,
            String clusterState, Tls tls, int metricsPort) {
        this.tls = tls;
        this.metricsPort = metricsPort;
        this.name = name;
        this.dataDir = dataDir;
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        this.initialCluster = initialCluster;
        this.clusterState = clusterState;
    }

    /** One etcd, started and answering. */
    public static EtcdProcess start() throws IOException, InterruptedException {
        return start(null);
    }

    /** One etcd whose clients talk https and show a certificate {@code tls}'s CA signed; started and answering. */
    public static EtcdProcess start(Tls tls) throws IOException, InterruptedException {
        assumeInstalled();
        int[] ports = freePorts(3);
        EtcdProcess e = new EtcdProcess("solo", Files.createTempDirectory("etcd-"), ports[0], ports[1],
                "solo=http://127.0.0.1:" + ports[1], "new", tls, ports[2]);
        e.launch();
        e.awaitHealthy();
        return e;
    }

    /** {@code n} members of one etcd cluster, started and answering. */
    public static List<EtcdProcess> startCluster(int n) throws IOException, InterruptedException {
        assumeInstalled();
        int[] ports = freePorts(3 * n);
        StringBuilder initial = new StringBuilder();
        for (int i = 0; i < n; i++) {
            initial.append(i == 0 ? "" : ",").append("m").append(i).append("=http://127.0.0.1:")
                    .append(ports[3 * i + 1]);
        }
        List<EtcdProcess> members = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            EtcdProcess e = new EtcdProcess("m" + i, Files.createTempDirectory("etcd-m" + i + "-"), ports[3 * i],
                    ports[3 * i + 1], initial.toString(), "new", null, ports[3 * i + 2]);
            members.add(e);
            e.launch();
        }
        for (EtcdProcess e : members) {
            e.awaitHealthy();
        }
        return members;
    }

    public static void assumeInstalled() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/etcd")),
                "etcd is not installed (Debian package etcd-server; .ci/run installs it)");
    }

    /** The client URL, {@code http://127.0.0.1:PORT} ({@code https} with TLS). */
    public String endpoint() {
        return (tls != null ? "https" : "http") + "://127.0.0.1:" + clientPort;
    }

    /** The server's process id, for reading its CPU time and memory under {@code /proc}; -1 while stopped. */
    public long pid() {
        return process != null ? process.pid() : -1;
    }

    /** Kills the server at once (SIGKILL), as a crash would. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            process = null;
        }
    }

    /** Starts it again on the same ports, with the same data. */
    public void restart() throws IOException, InterruptedException {
        kill();
        launch();
        awaitHealthy();
    }

    private void launch() throws IOException {
        String peer = "http://127.0.0.1:" + peerPort;
        List<String> command = new ArrayList<>(List.of("/usr/bin/etcd", "--name", name, "--data-dir",
                dataDir.toString(),
                "--listen-client-urls", endpoint(), "--advertise-client-urls", endpoint(),
                "--listen-metrics-urls", metrics(),
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", initialCluster, "--initial-cluster-state", clusterState,
                // One token for every member of a cluster (a member with another token is another cluster's, and
                // is refused); unique per cluster, since its peer ports are.
                "--initial-cluster-token", "bascule-test-" + Integer.toHexString(initialCluster.hashCode()),
                "--unsafe-no-fsync", "--heartbeat-interval", "50", "--election-timeout", "500",
                "--log-level", "warn"));
        if (tls != null) {
            command.addAll(List.of("--cert-file", tls.cert().toString(), "--key-file", tls.key().toString(),
                    "--trusted-ca-file", tls.trustedCa().toString(), "--client-cert-auth"));
        }
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectErrorStream(true);
        pb.redirectOutput(dataDir.resolve("etcd.log").toFile());
        process = pb.start();
    }

    private void awaitHealthy() throws InterruptedException, IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (process == null || !process.isAlive()) {
                throw new IOException("etcd " + name + " exited: " + Files.readString(dataDir.resolve("etcd.log")));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(metrics() + "/health"))
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("true")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IOException("etcd " + name + " not healthy within " + START_TIMEOUT + ": "
                + Files.readString(dataDir.resolve("etcd.log")));
    }

    private String metrics() {
        return "http://127.0.0.1:" + metricsPort;
    }

    /** Whether its client port takes connections. */
    public boolean listening() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", clientPort), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
        try (var files = Files.walk(dataDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder left behind is harmless
        }
    }

    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }
}
