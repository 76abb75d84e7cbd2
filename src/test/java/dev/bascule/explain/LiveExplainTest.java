package dev.bascule.explain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bascule.balance.AffinityHash;
import dev.bascule.balance.Balancers;
import dev.bascule.balance.PickContext;
import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ConfigLoader;
import dev.bascule.control.ControlPlane;
import dev.bascule.control.Pool;
import dev.bascule.control.Resolver;
import dev.bascule.control.RouteAction;
import dev.bascule.control.Snapshot;
import dev.bascule.upstream.Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Explanations of the running state: a real control plane (its thread, its snapshots) over the demo config and a
 * config with a hash pool, allow/deny and a rate limit, on a clock the test moves. No origin is contacted.
 */
class LiveExplainTest {
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(1_000 * SECOND);
    private ControlPlane control;

    private ControlPlane start(BasculeConfig config) throws Exception {
        control = ControlPlane.start(config, Balancers.standard(), Resolver.SYSTEM, Clock.systemUTC(), now::get,
                Executors.newSingleThreadScheduledExecutor());
        return control;
    }

    @AfterEach
    void stop() {
        if (control != null) {
            control.close();
        }
    }

    /**
     * The demo's file, read as text so that the drains these tests make are not kept in a state file beside it
     * (in the repository) for the next test to find.
     */
    private static BasculeConfig labs() throws Exception {
        return new ConfigLoader(Balancers.standard().names()).parse(Files.readString(Path.of("examples/labs.yaml")),
                "examples/labs.yaml");
    }

    private JsonNode explain(String host, String path, String client, String... headers) {
        return Explanation.live(control.live().get(), Question.of(host, path, null, client, List.of(headers)),
                now.get()).json();
    }

    @ParameterizedTest(name = "{0}{1} -> route {2} ({3}) as {4}")
    @CsvSource(delimiter = '|', textBlock = """
            blue.labs.test   | /x            | 0 | web-blue  | /x
            green.labs.test  | /             | 1 | web-green | /
            labs.test        | /blue/x       | 2 | web-blue  | /x
            labs.test        | /green/x?y=1  | 3 | web-green | /x?y=1
            labs.test        | /greenhouse   | 6 | web-blue  | /greenhouse
            other.test       | /anything     | 6 | web-blue  | /anything
            app.labs.test    | /green/x      | 3 | web-green | /x
            """)
    void theRunningRoutesAgreeWithTheFile(String host, String path, int route, String upstream, String target)
            throws Exception {
        BasculeConfig labs = labs();
        start(labs);

        JsonNode live = explain(host, path, null);
        JsonNode file = Explanation.offline(labs, Question.of(host, path, null, null, List.of())).json();

        assertThat(live.at("/route/index").asInt()).isEqualTo(route);
        assertThat(live.at("/route/upstream").asText()).isEqualTo(upstream);
        assertThat(live.at("/route/target").asText()).isEqualTo(target);
        assertThat(live.get("routes")).as("route by route, the same as from the file").isEqualTo(file.get("routes"));
        assertThat(live.at("/route/retry")).isEqualTo(file.at("/route/retry"));
        assertThat(live.at("/outcome/action").asText()).isEqualTo("forward");
        // The proxy's own decision: the table's match on the snapshot picks the same route.
        RouteAction matched = control.live().get().routes().match(host, path).target();
        assertThat(matched.pool().name()).isEqualTo(upstream);
    }

    @Test
    void theUpstreamShowsEachServersStateAndTheCandidates() throws Exception {
        start(labs());

        JsonNode u = explain("green.labs.test", "/", "10.1.2.3").get("upstream");
        assertThat(u.get("name").asText()).isEqualTo("web-green");
        assertThat(u.get("balancer").asText()).isEqualTo("round_robin");
        assertThat(u.get("panic").asBoolean()).isFalse();
        assertThat(u.get("rejecting").asBoolean()).isFalse();
        assertThat(u.at("/servers/0/address").asText()).isEqualTo("127.0.0.1:9003");
        assertThat(u.at("/servers/0/weight").asInt()).isEqualTo(2);
        assertThat(u.at("/servers/0/state").asText()).isEqualTo("healthy");
        assertThat(u.at("/servers/0/in_flight").asInt()).isZero();
        assertThat(u.at("/servers/0/latency_ms").asDouble()).isZero();
        assertThat(u.at("/servers/0/candidate").asBoolean()).isTrue();
        assertThat(u.get("next").asText()).as("the first of a 2:1 cycle").isEqualTo("127.0.0.1:9003");

        Server s9004 = control.live().get().pools().get("web-green").members().get(1);
        s9004.state().requestStarted();
        s9004.state().recordLatency(3_000_000, now.get());
        control.drain("web-green", "127.0.0.1:9003", true).get(5, TimeUnit.SECONDS);

        u = explain("green.labs.test", "/", "10.1.2.3").get("upstream");
        assertThat(u.at("/servers/0/state").asText()).isEqualTo("draining");
        assertThat(u.at("/servers/0/candidate").asBoolean()).isFalse();
        assertThat(u.at("/servers/1/state").asText()).isEqualTo("healthy");
        assertThat(u.at("/servers/1/candidate").asBoolean()).isTrue();
        assertThat(u.at("/servers/1/in_flight").asInt()).isEqualTo(1);
        assertThat(u.at("/servers/1/latency_ms").asDouble()).as("sampled at this instant").isEqualTo(3.0);
        assertThat(u.get("next").asText()).isEqualTo("127.0.0.1:9004");
        s9004.state().requestFinished();
    }

    @Test
    void aPoolWithNoRoutableServerAnswers503() throws Exception {
        start(labs());
        control.drain("web-green", "127.0.0.1:9003", true).get(5, TimeUnit.SECONDS);
        control.drain("web-green", "127.0.0.1:9004", true).get(5, TimeUnit.SECONDS);

        JsonNode e = explain("green.labs.test", "/", null);

        assertThat(e.at("/upstream/servers/0/candidate").asBoolean()).isFalse();
        assertThat(e.at("/upstream/servers/1/candidate").asBoolean()).isFalse();
        assertThat(e.at("/upstream/next").isNull()).isTrue();
        assertThat(e.at("/outcome/status").asInt()).isEqualTo(503);
        assertThat(e.at("/outcome/why").asText()).isEqualTo("no server of upstream web-green is routable");
    }

    private static final String GUARDED = """
            listeners: [ { address: 127.0.0.1:0 } ]
            upstreams:
              sticky:
                balancer: hash
                hash_key: header:X-User
                servers:
                  - { address: 127.0.0.1:9001 }
                  - { address: 127.0.0.1:9002, weight: 2 }
                  - { address: 127.0.0.1:9003 }
            routes:
              - match: { host: api.labs.test }
                upstream: sticky
                deny: [ 10.9.0.0/16 ]
                rate_limit: { requests_per_second: 1, burst: 3 }
            """;

    @Test
    void theRateLimitShowsTheTokensOfTheKeyWithoutTakingOne() throws Exception {
        start(new ConfigLoader(Balancers.standard().names()).parse(GUARDED, "guarded.yaml"));
        RouteAction action = control.live().get().routes().routes().get(0).target();

        JsonNode limit = explain("api.labs.test", "/", "10.1.2.3").at("/route/rate_limit");
        assertThat(limit.get("key").asText()).isEqualTo("client_ip");
        assertThat(limit.get("key_value").asText()).isEqualTo("10.1.2.3");
        assertThat(limit.get("burst").asInt()).isEqualTo(3);
        assertThat(limit.get("requests_per_second").asDouble()).isEqualTo(1.0);
        assertThat(limit.get("tokens").asInt()).isEqualTo(3);

        for (int i = 0; i < 50; i++) {
            explain("api.labs.test", "/", "10.1.2.3");
        }
        assertThat(action.rateLimiter().trackedKeys()).as("explaining tracks no key").isZero();
        assertThat(action.rateLimiter().tryAcquire("10.1.2.3", now.get())).isZero();
        assertThat(action.rateLimiter().tryAcquire("10.1.2.3", now.get())).isZero();
        assertThat(explain("api.labs.test", "/", "10.1.2.3").at("/route/rate_limit/tokens").asInt()).isEqualTo(1);
        assertThat(action.rateLimiter().tryAcquire("10.1.2.3", now.get())).isZero();

        JsonNode empty = explain("api.labs.test", "/", "10.1.2.3");
        assertThat(empty.at("/route/rate_limit/tokens").asInt()).isZero();
        assertThat(empty.at("/outcome/status").asInt()).isEqualTo(429);
        assertThat(explain("api.labs.test", "/", "10.1.2.4").at("/route/rate_limit/tokens").asInt())
                .as("another client has its own bucket").isEqualTo(3);

        now.addAndGet(SECOND);
        assertThat(explain("api.labs.test", "/", "10.1.2.3").at("/route/rate_limit/tokens").asInt())
                .as("one second refills one token").isEqualTo(1);

        JsonNode noClient = explain("api.labs.test", "/", null);
        assertThat(noClient.at("/route/rate_limit/tokens").isNull()).isTrue();
        assertThat(noClient.at("/outcome/unchecked").toString())
                .contains("rate limit: no client given", "allow/deny: no client given");
    }

    @Test
    void theDenyListDecidesForTheClient() throws Exception {
        start(new ConfigLoader(Balancers.standard().names()).parse(GUARDED, "guarded.yaml"));

        JsonNode denied = explain("api.labs.test", "/", "10.9.1.1");
        assertThat(denied.at("/route/access/verdict").asText()).isEqualTo("denied");
        assertThat(denied.at("/outcome/status").asInt()).isEqualTo(403);
        JsonNode allowed = explain("api.labs.test", "/", "10.1.1.1");
        assertThat(allowed.at("/route/access/verdict").asText()).isEqualTo("allowed");
        assertThat(allowed.at("/route/access/why").asText()).isEqualTo("the client is not in the deny list");
        assertThat(allowed.at("/outcome/action").asText()).isEqualTo("forward");
    }

    @Test
    void theHashBalancerShowsTheServerTheKeyMapsTo() throws Exception {
        start(new ConfigLoader(Balancers.standard().names()).parse(GUARDED, "guarded.yaml"));
        Pool pool = control.live().get().pools().get("sticky");

        for (String user : List.of("ann", "bob", "cy", "dee", "eve", "fay", "gus", "hal")) {
            JsonNode hash = explain("api.labs.test", "/", "10.1.2.3", "X-User: " + user).at("/upstream/hash");
            assertThat(hash.get("key").asText()).isEqualTo("header:X-User");
            assertThat(hash.get("hashed").asText()).isEqualTo("header");
            assertThat(hash.get("value").asText()).isEqualTo(user);
            assertThat(hash.get("server").asText()).as("where a request with X-User: %s is really sent", user)
                    .isEqualTo(pool.balancer().pick(affinity(AffinityHash.hash64(user))).address());
        }
        JsonNode byClient = explain("api.labs.test", "/", "10.1.2.3").at("/upstream/hash");
        assertThat(byClient.get("hashed").asText()).as("without the header, the client").isEqualTo("client_ip");
        assertThat(byClient.get("server").asText())
                .isEqualTo(pool.balancer().pick(affinity(AffinityHash.hash64("10.1.2.3"))).address());
        assertThat(explain("api.labs.test", "/", null).at("/upstream/hash/server").isNull()).isTrue();
    }

    @Test
    void theConfigAndSnapshotVersionsAreNamed() throws Exception {
        start(labs());
        Snapshot s = control.live().get();

        JsonNode config = explain("labs.test", "/", null).get("config");

        assertThat(config.get("file").asText()).isEqualTo("examples/labs.yaml");
        assertThat(config.get("version").asLong()).isEqualTo(s.configVersion());
        assertThat(config.get("snapshot_version").asLong()).isEqualTo(s.version());
    }

    @Test
    void theTextShowsTheLiveState() throws Exception {
        start(labs());

        String text = Explanation.live(control.live().get(),
                Question.of("blue.labs.test", "/", null, "10.1.2.3", List.of()), now.get()).text();

        assertThat(text).contains(
                "route 0 (blue.labs.test) -> upstream web-blue\n",
                "  127.0.0.1:9001  weight 2  healthy  in flight 0  latency 0.0 ms  candidate\n",
                "  next in turn: 127.0.0.1:9001\n",
                "outcome: forward, to upstream web-blue as /\n");
    }

    private static PickContext affinity(long hash) {
        return new PickContext() {
            @Override
            public boolean excluded(Server server) {
                return false;
            }

            @Override
            public long affinityHash() {
                return hash;
            }

            @Override
            public long nowNanos() {
                return 0;
            }
        };
    }
}
