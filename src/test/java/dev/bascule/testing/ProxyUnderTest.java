package dev.bascule.testing;

import dev.bascule.Bascule;
import dev.bascule.balance.Balancers;
import dev.bascule.config.AccessLogConfig;
import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ConfigLoader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A real Bascule started from YAML text on an ephemeral loopback port, with helpers to talk to it. */
public final class ProxyUnderTest implements AutoCloseable {
    static {
        // Lets tests set the Host header, which routing depends on.
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host,connection");
    }

    private final Bascule bascule;
    private final HttpClient client;

    private ProxyUnderTest(Bascule bascule) {
        this.bascule = bascule;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /**
     * Starts Bascule with {@code yaml}; its first listener should be {@code 127.0.0.1:0}. Without an {@code
     * access_log} key in it, no access log (see {@link #parse}).
     */
    public static ProxyUnderTest start(String yaml, int threads) throws Exception {
        return new ProxyUnderTest(Bascule.start(parse(yaml), threads));
    }

    /**
     * Starts Bascule from a config file as {@code ./bascule run -c FILE} does: with a {@code cluster} section, as a
     * member of that fleet.
     */
    public static ProxyUnderTest run(java.nio.file.Path file, int threads) throws Exception {
        ConfigLoader loader = new ConfigLoader(Balancers.standard().names());
        return new ProxyUnderTest(Bascule.run(loader.load(file), file, loader, threads));
    }

    /** Starts Bascule with a config built in code (TLS tests copy a parsed one with the TLS parts set). */
    public static ProxyUnderTest start(BasculeConfig config, int threads) throws Exception {
        return new ProxyUnderTest(Bascule.start(config, threads));
    }

    /**
     * Parses YAML into a config, to adjust with the records before {@link #start(BasculeConfig, int)}. A config
     * without an {@code access_log} key gets {@code access_log: { to: off }}: the default, a JSON line per request on
     * standard output, would bury the build's output under the lines of every load test.
     */
    public static BasculeConfig parse(String yaml) throws Exception {
        BasculeConfig c = new ConfigLoader(Balancers.standard().names()).parse(yaml, "test.yaml");
        return yaml.contains("access_log") ? c : withoutAccessLog(c);
    }

    /** {@code config} with {@code access_log: { to: off }}; the rest as it was, its state file too. */
    public static BasculeConfig withoutAccessLog(BasculeConfig c) {
        return new BasculeConfig(c.source(), c.listeners(), c.admin(), c.timeouts(), c.limits(), c.upstreams(),
                c.routes(), c.shutdownGrace(), c.trustedProxies(), c.via(), c.requestId(), c.tracing(),
                AccessLogConfig.OFF, c.stateFile(), c.redis(), c.cluster());
    }

    public Bascule bascule() {
        return bascule;
    }

    public InetSocketAddress address() {
        return bascule.listenerAddresses().get(0);
    }

    public int port() {
        return address().getPort();
    }

    public RawHttp raw() throws java.io.IOException {
        return new RawHttp(address());
    }

    public HttpClient client() {
        return client;
    }

    /** GET {@code path} with a Host header, through a pooled keep-alive client. */
    public HttpResponse<String> get(String host, String path) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .header("Host", host)
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build();
        return client.send(req, HttpResponse.BodyHandlers.ofString());
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    @Override
    public void close() {
        bascule.close();
    }
}
