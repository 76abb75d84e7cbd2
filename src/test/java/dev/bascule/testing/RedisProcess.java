package dev.bascule.testing;

import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} on a free loopback port, for the tests of global rate limits: no persistence
 * ({@code --save '' --appendonly no}), its files in a temporary folder, killed by {@link #close}. It can be stopped
 * and started again on the same port ({@link #stop}, {@link #restart}) to play an outage. The Debian package
 * provides the binary; {@code .ci/run} installs it. A machine without it skips the test with a message
 * ({@link #assumeInstalled}).
 *
 * <p>Threading: one test thread.
 */
public final class RedisProcess implements AutoCloseable {
    private static final String BINARY = "redis-server";

    private final Path dir;
    private final List<String> extraArgs;
    private final int port;
    private Process process;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;

    private RedisProcess(Path dir, int port, List<String> extraArgs) {
        this.dir = dir;
        this.port = port;
        this.extraArgs = extraArgs;
    }

    /** Skips the calling test when {@code redis-server} is not on the PATH. */
    public static void assumeInstalled() {
        Assumptions.assumeTrue(installed(), "redis-server is not installed (the Debian package redis-server; .ci/run"
                + " installs it)");
    }

    public static boolean installed() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, BINARY))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Starts a server on a free loopback port and waits until it answers PING.
     *
     * @param extraArgs more {@code --name value} arguments (such as {@code --requirepass}), each a separate string
     */
    public static RedisProcess start(String... extraArgs) throws Exception {
        assumeInstalled();
        Path dir = Files.createTempDirectory("bascule-redis");
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            RedisProcess redis = new RedisProcess(dir, freePort(), List.of(extraArgs));
            try {
                redis.launch();
                return redis;
            } catch (IOException e) {
                last = e; // the port was taken between choosing and binding: choose again
                redis.kill();
            }
        }
        throw last;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void launch() throws IOException {
        List<String> command = new ArrayList<>(List.of(BINARY, "--port", Integer.toString(port), "--bind",
                "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no",
                "--protected-mode", "yes"));
        command.addAll(extraArgs);
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
                .start();
        try {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                    .until(() -> !process.isAlive() || answersPing());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new IOException("redis-server did not answer PING within 10s: " + log());
        }
        if (!process.isAlive()) {
            throw new IOException("redis-server exited with " + process.exitValue() + ": " + log());
        }
    }

    /** A raw PING over a fresh socket: true for +PONG, or -NOAUTH from a server that wants a password. */
    private boolean answersPing() {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(1000);
            s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] buf = new byte[64];
            int n = s.getInputStream().read(buf);
            String reply = n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.US_ASCII);
            return reply.startsWith("+PONG") || reply.startsWith("-NOAUTH");
        } catch (IOException e) {
            return false;
        }
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("redis.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port}, as the {@code redis.address} of a config. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /**
     * Commands to the server from the test (FLUSHALL, CLIENT PAUSE, TTL ...), on a connection of the test's own.
     * Reconnected after {@link #restart}.
     */
    public RedisCommands<String, String> commands() {
        if (client == null) {
            client = RedisClient.create(RedisURI.Builder.redis("127.0.0.1", port)
                    .withTimeout(Duration.ofSeconds(5)).build());
            client.setOptions(io.lettuce.core.ClientOptions.builder().autoReconnect(false).build());
        }
        if (connection == null || !connection.isOpen()) {
            connection = client.connect();
        }
        return connection.sync();
    }

    /** Kills the server (SIGKILL: as abrupt as a crash); the port closes. */
    public void stop() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
        kill();
    }

    /** Starts the server again on the same port, empty; waits until it answers. */
    public void restart() throws IOException {
        launch();
    }

    private void kill() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !answersPing());
    }

    private void closeClient() {
        connection = null; // the client's shutdown closes it
        if (client != null) {
            client.shutdown(100, 2_000, TimeUnit.MILLISECONDS);
            client = null;
        }
    }

    @Override
    public void close() {
        closeClient();
        kill();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder
        }
    }
}
