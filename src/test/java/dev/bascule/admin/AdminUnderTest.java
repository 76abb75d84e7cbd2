package dev.bascule.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bascule.balance.Balancers;
import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ConfigException;
import dev.bascule.config.ConfigLoader;
import dev.bascule.control.ConfigSource;
import dev.bascule.control.ControlPlane;
import dev.bascule.control.Resolver;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestOrigin;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real control plane over real origins (blue-01 weighted 2, blue-02, green-01), a real admin server on an
 * ephemeral loopback port, and an HTTP/1.1 client. {@code POST /reload} reads {@link #reloadWith}.
 */
final class AdminUnderTest implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final TestOrigin blue1 = TestOrigin.start("blue-01");
    final TestOrigin blue2 = TestOrigin.start("blue-02");
    final TestOrigin green1 = TestOrigin.start("green-01");
    final ControlPlane control;
    final AdminServer admin;
    final InetSocketAddress address;
    final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    /** What the next reload loads; a test sets it before posting /reload. */
    volatile ConfigSource reloadWith = () -> {
        throw new IllegalStateException("this test set no reload source");
    };
    private final MultiThreadIoEventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    AdminUnderTest() throws Exception {
        this("");
    }

    /**
     * @param adminSection an {@code admin:} section for the config (its token file is read by the control plane as
     *     Bascule's is), or "" for none; the server binds 127.0.0.1:0 whatever its address says
     */
    AdminUnderTest(String adminSection) throws Exception {
        control = ControlPlane.start(parse(yaml(blue1.address(), blue2.address(), green1.address()) + adminSection,
                "t.yaml"), Balancers.standard(), Resolver.SYSTEM, Clock.systemUTC(), System::nanoTime,
                Executors.newSingleThreadScheduledExecutor());
        admin = new AdminServer(control, () -> reloadWith.load(), loops, NioServerSocketChannel.class);
        address = admin.bind(new InetSocketAddress("127.0.0.1", 0));
    }

    /** The config's routes end the text, so an {@code admin:} section can be appended. */
    static String yaml(String blue1, String blue2, String green1) {
        return """
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                upstreams:
                  web-blue:
                    servers:
                      - { address: %s, weight: 2 }
                      - { address: %s }
                  web-green:
                    balancer: least_conn
                    servers:
                      - { address: %s }
                routes:
                  - match: { host: green.labs.test }
                    upstream: web-green
                  - match: { path_prefix: / }
                    upstream: web-blue
                """.formatted(blue1, blue2, green1);
    }

    static BasculeConfig parse(String yaml, String file) throws ConfigException {
        return new ConfigLoader(Balancers.standard().names()).parse(yaml, file);
    }

    /** A second admin server on the same control plane, for what depends on the constructor's arguments. */
    AdminServer adminWithoutReload() {
        return new AdminServer(control, null, loops, NioServerSocketChannel.class);
    }

    MultiThreadIoEventLoopGroup loops() {
        return loops;
    }

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        return send(address, method, path, body);
    }

    HttpResponse<String> send(InetSocketAddress at, String method, String path, String body) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            req.header("Content-Type", "application/json");
        }
        return client.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null);
    }

    JsonNode status() throws Exception {
        return json(get("/status"));
    }

    /** The server's entry in {@code /status}, or null. */
    JsonNode serverInStatus(String upstream, String address) throws Exception {
        for (JsonNode s : status().path("upstreams").path(upstream).path("servers")) {
            if (s.path("address").asText().equals(address)) {
                return s;
            }
        }
        return null;
    }

    static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    static JsonNode json(RawHttp.Response r) throws IOException {
        return JSON.readTree(r.body());
    }

    RawHttp raw() throws IOException {
        return new RawHttp(address);
    }

    @Override
    public void close() {
        admin.close();
        control.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        blue1.close();
        blue2.close();
        green1.close();
    }
}
