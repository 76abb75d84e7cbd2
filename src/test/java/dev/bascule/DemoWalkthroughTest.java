package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ConfigLoader;
import dev.bascule.demo.DemoOrigin;
import dev.bascule.proxy.Transport;
import dev.bascule.testing.AdminClient;
import dev.bascule.testing.DemoConfig;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo as README's "Blue/green and canary releases" walks through it, so the walk-through does not rot: the
 * shipped {@code examples/labs.yaml} on ephemeral ports, with the demo's own origins, a real proxy started from the
 * file (so its state file is kept beside it), and the admin calls README writes, in README's order and with its
 * bodies, read from README itself. Also the seed's scenario, which the release routes must leave alone.
 */
@ExtendWith(LeakGuard.class)
class DemoWalkthroughTest {
    private static final ConfigLoader LOADER = Main.loader();
    private static final String SECTION = "## Blue/green and canary releases";
    private static final Pattern STICKY_COOKIE =
            Pattern.compile("bascule_release=([0-9a-f]{32}); Path=/; HttpOnly; SameSite=Lax");
    /** Visitors with cookies of their own, the same in every step, to follow each one's side. */
    private static final int VISITORS = 200;

    @TempDir
    Path dir;
    private Path config;
    private MultiThreadIoEventLoopGroup originLoops;
    private final List<DemoOrigin> origins = new ArrayList<>();
    private Bascule bascule;
    private AdminClient admin;

    /** An admin call of the walk-through: {@code curl -s -XMETHOD localhost:9901PATH ... [-d 'BODY']}. */
    record Call(String method, String path, String body) {}

    @BeforeEach
    void start() throws Exception {
        Transport transport = Transport.best();
        originLoops = transport.newEventLoopGroup(1, "demo-origin");
        for (String name : List.of("blue-01", "blue-02", "green-01", "green-02")) {
            origins.add(DemoOrigin.start(name, new InetSocketAddress("127.0.0.1", 0), originLoops,
                    transport.serverChannelType()));
        }
        config = dir.resolve("labs.yaml");
        Files.writeString(config, DemoConfig.onAddresses("127.0.0.1:0", "127.0.0.2:0",
                origins.stream().map(o -> "127.0.0.1:" + o.address().getPort()).toList()));
        startProxy();
    }

    private void startProxy() throws Exception {
        BasculeConfig loaded = ProxyUnderTest.withoutAccessLog(LOADER.load(config));
        bascule = Bascule.start(loaded, 2, () -> ProxyUnderTest.withoutAccessLog(LOADER.load(config)));
        admin = new AdminClient(bascule.adminAddress());
    }

    @AfterEach
    void stop() throws Exception {
        if (bascule != null) {
            bascule.close();
        }
        origins.forEach(DemoOrigin::close);
        originLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** One request; the answer. */
    private RawHttp.Response request(String host, String path, String... headers) throws Exception {
        StringBuilder head = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
        for (String h : headers) {
            head.append(h).append("\r\n");
        }
        try (RawHttp c = new RawHttp(bascule.listenerAddresses().get(0))) {
            RawHttp.Response r = c.exchange(head.append("\r\n").toString());
            assertThat(r.status()).isEqualTo(200);
            return r;
        }
    }

    /** The pool that answered, as README's {@code visit} prints it: "blue" or "green". */
    private static String pool(RawHttp.Response r) {
        String origin = r.header("x-origin");
        assertThat(r.bodyText()).contains("<h1>" + origin + "</h1>");
        return origin.substring(0, origin.indexOf('-'));
    }

    private String visit(String... headers) throws Exception {
        return pool(request("app.labs.test", "/", headers));
    }

    /** Each fixed visitor's pool, by its own cookie. */
    private List<String> visitors() throws Exception {
        List<String> pools = new ArrayList<>(VISITORS);
        try (RawHttp c = new RawHttp(bascule.listenerAddresses().get(0))) {
            for (int i = 0; i < VISITORS; i++) {
                RawHttp.Response r = c.exchange("GET / HTTP/1.1\r\nHost: app.labs.test\r\nCookie: bascule_release="
                        + String.format("%032x", 7_919L * (i + 1)) + "\r\n\r\n");
                assertThat(r.header("set-cookie")).isNull();
                pools.add(pool(r));
            }
        }
        return pools;
    }

    private static long green(List<String> pools) {
        return pools.stream().filter("green"::equals).count();
    }

    private Map<String, Integer> weights() throws Exception {
        Map<String, Integer> weights = new HashMap<>();
        for (JsonNode side : admin.get("/routes/app").json().get("split")) {
            weights.put(side.get("upstream").asText(), side.get("weight").asInt());
        }
        return weights;
    }

    private AdminClient.Answer call(Call c) throws Exception {
        return admin.send(c.method(), c.path(), c.body());
    }

    /** README's walk-through section. */
    private static String walkthrough() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("\n" + SECTION + "\n");
        assertThat(start).as("README has the section " + SECTION).isPositive();
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    /** The admin calls that change something, in the walk-through's order. */
    private static List<Call> readmeCalls(String text) {
        Matcher m = Pattern.compile("curl -s -X(\\w+) localhost:9901(/\\S*)([^\\n]*)").matcher(text);
        List<Call> calls = new ArrayList<>();
        while (m.find()) {
            Matcher body = Pattern.compile("-d '([^']*)'").matcher(m.group(3));
            calls.add(new Call(m.group(1), m.group(2), body.find() ? body.group(1) : null));
        }
        return calls;
    }

    @Test
    void theSeedsScenarioIsLeftAsItWas() throws Exception {
        assertThat(pool(request("blue.labs.test", "/"))).isEqualTo("blue");
        assertThat(pool(request("green.labs.test", "/"))).isEqualTo("green");
        assertThat(pool(request("blue.labs.test", "/green/x"))).as("by host before path").isEqualTo("blue");
        RawHttp.Response stripped = request("labs.test", "/green/hi");
        assertThat(pool(stripped)).isEqualTo("green");
        assertThat(stripped.bodyText()).contains("served <code>GET /hi</code>");
        assertThat(request("labs.test", "/blue/a/b").bodyText()).contains("blue-", "served <code>GET /a/b</code>");
        assertThat(pool(request("labs.test", "/"))).isEqualTo("blue");
        assertThat(pool(request("labs.test", "/greenhouse"))).isEqualTo("blue");
        assertThat(pool(request("other.test", "/anything"))).isEqualTo("blue");
        // Headers and cookies of the release routes mean nothing on the seed's hosts.
        assertThat(pool(request("labs.test", "/", "x-release: green"))).isEqualTo("blue");
        Map<String, Integer> served = new HashMap<>();
        for (int i = 0; i < 6; i++) {
            served.merge(request("labs.test", "/").header("x-origin"), 1, Integer::sum);
        }
        assertThat(served).as("weight 2:1").containsEntry("blue-01", 4).containsEntry("blue-02", 2);
    }

    @Test
    void theReleaseWalkthroughDoesWhatReadmeSays() throws Exception {
        String text = walkthrough();
        assertThat(text).contains("visit() { curl -s \"$@\" localhost:8080/ | grep -o '<h1>[a-z]*' | cut -c5-; }",
                "visit -H 'Host: app.labs.test' -H 'x-release: green'", "-b me.jar -c me.jar",
                "curl -s localhost:9901/routes/app", "labs.state.json", "http://127.0.0.1:9901/");
        List<Call> calls = readmeCalls(text);
        assertThat(calls.stream().map(c -> c.method() + " " + c.path()).toList()).containsExactly(
                "PUT /routes/app/split", "PUT /routes/app/split", "POST /routes/app/rollout",
                "POST /routes/app/rollout/pause", "POST /routes/app/rollout/resume", "POST /routes/app/rollout/abort",
                "POST /routes/app/rollout", "POST /routes/app/promote");

        // 1. Where things stand: the file's split, 90/10, sticky by cookie, no rollout.
        JsonNode app = admin.get("/routes/app").json();
        assertThat(weights()).containsExactlyInAnyOrderEntriesOf(Map.of("web-blue", 90, "web-green", 10));
        assertThat(app.get("split_source").asText()).isEqualTo("file");
        assertThat(app.at("/sticky/key").asText()).isEqualTo("cookie:bascule_release");
        assertThat(app.get("rollout").isNull()).isTrue();

        // 2. Visitors: a new one each time gets a cookie and is placed by it; one with a jar keeps its side; the
        // header pins to green.
        int newOnGreen = 0;
        for (int i = 0; i < 200; i++) {
            RawHttp.Response r = request("app.labs.test", "/");
            assertThat(r.header("set-cookie")).matches(STICKY_COOKIE);
            newOnGreen += pool(r).equals("green") ? 1 : 0;
        }
        assertThat(newOnGreen).as("new visitors on green at 10%, of 200").isBetween(4, 50);
        RawHttp.Response first = request("app.labs.test", "/");
        Matcher cookie = STICKY_COOKIE.matcher(first.header("set-cookie"));
        assertThat(cookie.matches()).isTrue();
        String jar = "Cookie: bascule_release=" + cookie.group(1);
        for (int i = 0; i < 3; i++) {
            assertThat(visit(jar)).isEqualTo(pool(first));
        }
        assertThat(visit("x-release: green")).isEqualTo("green");
        assertThat(visit("x-release: green", jar)).isEqualTo("green");
        List<String> at10 = visitors();
        assertThat(green(at10)).isBetween(5L, 40L);

        // 3. The split by hand: 50/50 at once, kept as the API's; nobody on green goes back to blue.
        AdminClient.Answer put = call(calls.get(0));
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(put.json().get("split_source").asText()).isEqualTo("api");
        assertThat(weights()).containsExactlyInAnyOrderEntriesOf(Map.of("web-blue", 50, "web-green", 50));
        List<String> at50 = visitors();
        assertThat(green(at50)).isBetween(70L, 130L);
        for (int i = 0; i < VISITORS; i++) {
            if (at10.get(i).equals("green")) {
                assertThat(at50.get(i)).as("visitor %d stays on green", i).isEqualTo("green");
            }
        }

        // 4. All blue, then a rollout to green: 202, step 1 of 3 at 10%.
        assertThat(call(calls.get(1)).status()).isEqualTo(200);
        assertThat(weights()).containsExactlyInAnyOrderEntriesOf(Map.of("web-blue", 100, "web-green", 0));
        assertThat(green(visitors())).isZero();
        AdminClient.Answer started = call(calls.get(2));
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        JsonNode rollout = started.json();
        assertThat(rollout.get("phase").asText()).isEqualTo("running");
        assertThat(rollout.get("to").asText()).isEqualTo("web-green");
        assertThat(rollout.get("step").asInt()).isEqualTo(1);
        assertThat(rollout.get("steps").toString()).isEqualTo("[10,50,100]");
        assertThat(rollout.get("share").asInt()).isEqualTo(10);
        assertThat(rollout.get("step_interval_ms").asLong()).isEqualTo(20_000);
        assertThat(rollout.at("/guard/min_requests").asLong()).isEqualTo(20);
        assertThat(rollout.get("before").toString()).isEqualTo("{\"web-blue\":100,\"web-green\":0}");
        assertThat(weights()).containsExactlyInAnyOrderEntriesOf(Map.of("web-blue", 90, "web-green", 10));
        assertThat(green(visitors())).isBetween(5L, 40L);
        JsonNode live = admin.get("/routes/app").json().get("rollout");
        assertThat(live.get("phase").asText()).isEqualTo("running");
        assertThat(live.has("figures")).isTrue();

        // 5. By hand: pause, resume, abort (back to all blue), again, promote (green at 100% now).
        assertThat(call(calls.get(3)).json().get("phase").asText()).isEqualTo("paused");
        assertThat(call(calls.get(4)).json().get("phase").asText()).isEqualTo("running");
        AdminClient.Answer aborted = call(calls.get(5));
        assertThat(aborted.json().get("phase").asText()).isEqualTo("aborted");
        assertThat(weights()).containsExactlyInAnyOrderEntriesOf(Map.of("web-blue", 100, "web-green", 0));
        assertThat(call(calls.get(6)).status()).isEqualTo(202);
        AdminClient.Answer promoted = call(calls.get(7));
        assertThat(promoted.status()).isEqualTo(200);
        assertThat(promoted.json().get("phase").asText()).isEqualTo("done");
        assertThat(promoted.json().get("reason").asText()).isEqualTo("promoted");
        assertThat(weights()).containsExactlyInAnyOrderEntriesOf(Map.of("web-blue", 0, "web-green", 100));
        assertThat(green(visitors())).isEqualTo(VISITORS);
        assertThat(call(calls.get(3)).status()).as("nothing left to pause").isEqualTo(409);

        // 6. The dashboard is served, with its routes and rollouts cards.
        try (RawHttp c = new RawHttp(bascule.adminAddress())) {
            RawHttp.Response page = c.exchange("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.bodyText()).contains("id=\"routes\"", "id=\"rollouts\"");
        }

        // 7. A restart: the split and the rollout come back from the state file beside the config.
        bascule.close();
        bascule = null;
        assertThat(dir.resolve("labs.state.json")).exists();
        startProxy();
        JsonNode after = admin.get("/routes/app").json();
        assertThat(weights()).containsExactlyInAnyOrderEntriesOf(Map.of("web-blue", 0, "web-green", 100));
        assertThat(after.get("split_source").asText()).isEqualTo("api");
        assertThat(after.at("/rollout/phase").asText()).isEqualTo("done");
        assertThat(after.at("/rollout/reason").asText()).isEqualTo("promoted");
        assertThat(visit()).isEqualTo("green");
        assertThat(pool(request("blue.labs.test", "/"))).as("the seed's routes as ever").isEqualTo("blue");
    }
}
