package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bascule.config.ConfigLoader;
import dev.bascule.testing.AdminClient;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.LoadLoop;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.Scrape;
import dev.bascule.testing.TestOrigin;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Progressive rollouts through the admin API, with real origins and a real proxy started from a config file (so
 * its state file is kept): a full rollout under continuous load with no failed request, a rollback when green
 * answers 500 to one request in five, pause, resume, abort and promote with their refusals, a restart in the
 * middle of a rollout, a reload that takes the split away, and a state file with a bad rollout.
 *
 * <p>The p99 guard is set loose in the load tests: blue and green are the same local origin, whose sub-millisecond
 * latencies put their p99s a histogram bucket apart by chance; the guard's p99 rule is unit-tested in {@code
 * RolloutStateTest}.
 */
@ExtendWith(LeakGuard.class)
class RolloutTest {
    private static final ConfigLoader LOADER = Main.loader();
    private static final String GET = "GET / HTTP/1.1\r\nHost: labs.test\r\n\r\n";
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private Path config;
    private Path stateFile;
    private TestOrigin blue;
    private TestOrigin green;
    private Bascule bascule;
    private AdminClient admin;
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @BeforeEach
    void start() throws Exception {
        blue = TestOrigin.start("blue");
        green = TestOrigin.start("green");
        config = dir.resolve("labs.yaml");
        stateFile = dir.resolve("labs.state.json");
        writeConfig("split: [ { upstream: web-blue, weight: 90 }, { upstream: web-green, weight: 10 } ]");
        logged.start();
        root.addAppender(logged);
    }

    @AfterEach
    void stop() {
        root.detachAppender(logged);
        if (bascule != null) {
            bascule.close();
        }
        blue.close();
        green.close();
    }

    private void writeConfig(String appTarget) throws Exception {
        Files.writeString(config, """
                listeners: [ { name: public, address: 127.0.0.1:0 } ]
                admin: { address: 127.0.0.2:0 }
                access_log: { to: off }
                upstreams:
                  web-blue: { servers: [ { address: %s } ] }
                  web-green: { servers: [ { address: %s } ] }
                  other: { servers: [ { address: %s } ] }
                routes:
                  - name: app
                    match: { host: labs.test }
                    %s
                  - name: plain
                    match: { host: plain.labs.test }
                    upstream: web-blue
                """.formatted(blue.address(), green.address(), blue.address(), appTarget));
    }

    private void startProxy() throws Exception {
        bascule = Bascule.start(LOADER.load(config), 2, () -> LOADER.load(config));
        admin = new AdminClient(bascule.adminAddress());
    }

    private void restart() throws Exception {
        bascule.close(); // the state writer finishes its last write before close returns
        bascule = null;
        startProxy();
    }

    private InetSocketAddress proxy() {
        return bascule.listenerAddresses().get(0);
    }

    private AdminClient.Answer post(String path, String body) throws Exception {
        return admin.send("POST", path, body);
    }

    private static String plan(String steps, String interval, String guard) {
        return "{\"to\": \"web-green\", \"steps\": " + steps + ", \"step_interval\": \"" + interval + "\""
                + (guard == null ? "" : ", \"guard\": " + guard) + "}";
    }

    private JsonNode rollout() throws Exception {
        return admin.get("/routes/app").json().get("rollout");
    }

    private String phase() throws Exception {
        JsonNode r = rollout();
        return r == null || r.isNull() ? null : r.get("phase").asText();
    }

    private int weight(String upstream) throws Exception {
        for (JsonNode side : admin.get("/routes/app").json().get("split")) {
            if (side.get("upstream").asText().equals(upstream)) {
                return side.get("weight").asInt();
            }
        }
        throw new AssertionError("no side " + upstream);
    }

    private List<String> lines() {
        return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    private double rollouts(String result) throws Exception {
        Double v = Scrape.of(bascule.adminAddress()).value("bascule_rollouts_total", "route", "app", "result", result);
        return v == null ? 0 : v;
    }

    @Test
    void aFullRolloutUnderLoadFailsNoRequestAndEndsWithEveryRequestOnGreen() throws Exception {
        startProxy();
        try (LoadLoop load = new LoadLoop(proxy(), GET, 4, 200_000)) {
            await().atMost(DEADLINE).until(() -> load.ok() > 200);
            AdminClient.Answer started = post("/routes/app/rollout", plan("[10, 50, 100]", "300ms",
                    "{\"max_error_rate\": 0.01, \"max_p99_ratio\": 1000, \"min_requests\": 20}"));
            assertThat(started.status()).as(started.body()).isEqualTo(202);
            assertThat(started.json().get("phase").asText()).isEqualTo("running");
            assertThat(started.json().get("step").asInt()).isEqualTo(1);
            assertThat(started.json().get("share").asInt()).isEqualTo(10);

            await().atMost(DEADLINE).until(() -> weight("web-green") == 50);
            await().atMost(DEADLINE).until(() -> "done".equals(phase()));
            JsonNode done = rollout();
            assertThat(done.get("step").asInt()).isEqualTo(3);
            assertThat(done.get("reason").asText()).isEqualTo("done");
            assertThat(done.get("ended_at").isNull()).isFalse();
            assertThat(done.at("/figures/to/requests").asLong()).isGreaterThanOrEqualTo(20);
            assertThat(weight("web-green")).isEqualTo(100);
            assertThat(weight("web-blue")).isZero();

            // From now on every request goes to green (a request already on its way to blue may still land).
            int blueBefore = load.okFrom("blue");
            int greenBefore = load.okFrom("green");
            await().atMost(DEADLINE).until(() -> load.okFrom("green") > greenBefore + 300);
            assertThat(load.okFrom("blue")).isLessThanOrEqualTo(blueBefore + 4);
            load.close();
            assertThat(load.failures()).isEmpty();
        }
        assertThat(rollouts("done")).isEqualTo(1.0);
    }

    /**
     * Green answers 500 to one request in five. The rollout rolls back within its first step, all traffic is on
     * blue after it, and the clients saw no failure but those 500s of green's: no more failed requests than green
     * answered 500 before the rollback. "Before the rollback" is before the split without green was published:
     * once {@code GET} shows the rollout rolled back, the new split is in force (the control thread applies it
     * before it answers), so green may still answer only the requests already on their way, at most one per
     * client loop, and then nothing more.
     */
    @Test
    void greenFailingOneRequestInFiveIsRolledBackWithinTheFirstStep() throws Exception {
        startProxy();
        green.failEvery(5, 500);
        int loops = 4;
        try (LoadLoop load = new LoadLoop(proxy(), GET, loops, 200_000)) {
            await().atMost(DEADLINE).until(() -> load.ok() > 200);
            AdminClient.Answer started = post("/routes/app/rollout", plan("[10, 50, 100]", "300ms",
                    "{\"max_error_rate\": 0.05, \"max_p99_ratio\": 1000, \"min_requests\": 20}"));
            assertThat(started.status()).as(started.body()).isEqualTo(202);

            await().atMost(DEADLINE).until(() -> "rolled_back".equals(phase()));
            JsonNode back = rollout();
            assertThat(back.get("step").asInt()).as("rolled back within the first step").isEqualTo(1);
            assertThat(back.get("share").asInt()).isZero();
            assertThat(back.get("reason").asText()).startsWith("error rate ");
            assertThat(back.at("/figures/to/errors").asLong()).isPositive();
            assertThat(weight("web-green")).isZero();
            assertThat(weight("web-blue")).isEqualTo(100);

            int greenAtRollback = green.requests();
            int blueBefore = load.okFrom("blue");
            await().atMost(DEADLINE).until(() -> load.okFrom("blue") > blueBefore + 300);
            int greenInFlightAtRollback = green.requests() - greenAtRollback;
            assertThat(greenInFlightAtRollback).as("only requests already on their way reach green")
                    .isLessThanOrEqualTo(loops);
            // Every loop has been answered by blue since (300 answers), so nothing of green's is in flight now:
            // every 500 green ever answered was to a request sent it before the rollback.
            int greenFailedBeforeRollback = green.failedOnPurpose();
            int greenRequestsBeforeRollback = green.requests();
            await().atMost(DEADLINE).until(() -> load.okFrom("blue") > blueBefore + 600);
            assertThat(green.requests()).as("all traffic on blue: green gets nothing more")
                    .isEqualTo(greenRequestsBeforeRollback);
            load.close();

            List<String> failed = load.failures();
            assertThat(failed).as("the clients' failures are green's 500s, no 502, 503 or broken connection")
                    .allSatisfy(f -> assertThat(f).startsWith("status 500"));
            assertThat(green.failedOnPurpose()).isEqualTo(greenFailedBeforeRollback);
            assertThat(greenFailedBeforeRollback).as("green failed some requests before the rollback").isPositive();
            assertThat(failed.size()).as("client failures vs green's 500s before the rollback")
                    .isLessThanOrEqualTo(greenFailedBeforeRollback);
        }
        assertThat(rollouts("rolled_back")).isEqualTo(1.0);
        assertThat(lines()).anySatisfy(l -> assertThat(l).startsWith(
                "route app rollout to web-green rolled back at step 1 of 3 (10%): error rate "));
    }

    @Test
    void pauseResumeAbortPromoteAndTheRefusals() throws Exception {
        startProxy();
        // Nothing to act on yet.
        for (String command : List.of("rollout/pause", "rollout/resume", "rollout/abort", "promote")) {
            AdminClient.Answer a = post("/routes/app/" + command, null);
            assertThat(a.status()).as(command + ": " + a.body()).isEqualTo(409);
            assertThat(a.json().get("error").asText()).isEqualTo("route 'app' has no rollout running or paused");
        }
        // Bad plans.
        assertThat(post("/routes/app/rollout", plan("[50, 25]", "1s", null)).json().get("error").asText())
                .isEqualTo("steps must rise, each within 1..100: [50, 25]");
        assertThat(post("/routes/app/rollout", plan("[10, 100]", "soon", null)).status()).isEqualTo(400);
        assertThat(post("/routes/app/rollout", plan("[10, 100]", "0s", null)).status()).isEqualTo(400);
        assertThat(post("/routes/app/rollout", plan("[10, 100]", "1s", "{\"max_error_rate\": 2}")).json()
                .get("error").asText()).isEqualTo("max_error_rate must be within 0..1, found 2.0");
        assertThat(post("/routes/app/rollout", plan("[10, 100]", "1s", "{\"max_p99_ratio\": 0.5}")).status())
                .isEqualTo(400);
        assertThat(post("/routes/app/rollout", plan("[10, 100]", "1s", "{\"min_requests\": 0}")).status())
                .isEqualTo(400);
        assertThat(post("/routes/app/rollout", "{\"steps\": [10, 100], \"step_interval\": \"1s\"}").status())
                .isEqualTo(400);
        assertThat(post("/routes/app/rollout", "{\"to\": \"web-green\", \"steps\": [10, 100], \"step_interval\":"
                + " \"1s\", \"speed\": 3}").status()).isEqualTo(400);
        // Routes it cannot apply to.
        assertThat(post("/routes/plain/rollout", plan("[10, 100]", "1s", null)).status()).isEqualTo(409);
        assertThat(post("/routes/nowhere/rollout", plan("[10, 100]", "1s", null)).status()).isEqualTo(404);
        AdminClient.Answer notInSplit = post("/routes/app/rollout",
                "{\"to\": \"other\", \"steps\": [10, 100], \"step_interval\": \"1s\"}");
        assertThat(notInSplit.status()).isEqualTo(409);
        assertThat(notInSplit.json().get("error").asText()).contains("has no split with upstream 'other'");
        assertThat(rollout().isNull()).as("nothing started").isTrue();

        // A rollout whose steps last an hour: only the commands move it.
        AdminClient.Answer started = post("/routes/app/rollout", plan("[30, 100]", "1h", null));
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        assertThat(started.json().at("/guard/max_error_rate").asDouble()).as("default guard").isEqualTo(0.01);
        assertThat(started.json().at("/guard/max_p99_ratio").asDouble()).isEqualTo(1.5);
        assertThat(started.json().at("/guard/min_requests").asLong()).isEqualTo(100);
        assertThat(started.json().get("step_interval_ms").asLong()).isEqualTo(3_600_000);
        assertThat(weight("web-green")).isEqualTo(30);
        assertThat(post("/routes/app/rollout", plan("[30, 100]", "1h", null)).status()).as("one at a time")
                .isEqualTo(409);

        AdminClient.Answer byHand = admin.send("PUT", "/routes/app/split", "{\"web-blue\": 50, \"web-green\": 50}");
        assertThat(byHand.status()).as("the rollout moves the split").isEqualTo(409);
        assertThat(byHand.json().get("error").asText()).isEqualTo("route 'app' has a rollout running (to web-green):"
                + " abort or promote it before setting its split");
        AdminClient.Answer paused = post("/routes/app/rollout/pause", null);
        assertThat(paused.status()).isEqualTo(200);
        assertThat(paused.json().get("phase").asText()).isEqualTo("paused");
        assertThat(post("/routes/app/rollout/resume", null).json().get("phase").asText()).isEqualTo("running");
        AdminClient.Answer aborted = post("/routes/app/rollout/abort", null);
        assertThat(aborted.json().get("phase").asText()).isEqualTo("aborted");
        assertThat(weight("web-green")).as("back to the split before").isEqualTo(10);
        assertThat(weight("web-blue")).isEqualTo(90);
        assertThat(post("/routes/app/rollout/abort", null).status()).isEqualTo(409);

        assertThat(post("/routes/app/rollout", plan("[30, 100]", "1h", null)).status()).isEqualTo(202);
        AdminClient.Answer promoted = post("/routes/app/promote", null);
        assertThat(promoted.status()).isEqualTo(200);
        assertThat(promoted.json().get("phase").asText()).isEqualTo("done");
        assertThat(promoted.json().get("reason").asText()).isEqualTo("promoted");
        assertThat(weight("web-green")).isEqualTo(100);
        assertThat(weight("web-blue")).isZero();
        try (RawHttp c = new RawHttp(proxy())) {
            for (int i = 0; i < 20; i++) {
                assertThat(c.exchange(GET).header("x-origin")).isEqualTo("green");
            }
        }
        assertThat(rollouts("aborted")).isEqualTo(1.0);
        assertThat(rollouts("done")).isEqualTo(1.0);
        assertThat(admin.get("/routes").json().at("/routes/0/rollout/phase").asText()).isEqualTo("done");
    }

    @Test
    void aRestartResumesARunningRolloutAtItsStepAndKeepsAPausedOnePaused() throws Exception {
        startProxy();
        AdminClient.Answer started = post("/routes/app/rollout", plan("[20, 100]", "1s",
                "{\"max_p99_ratio\": 1000, \"min_requests\": 10}"));
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        String stepStarted = started.json().get("step_started_at").asText();
        restart(); // no request went to green: the first step cannot have ended

        JsonNode resumed = rollout();
        assertThat(resumed.get("phase").asText()).isEqualTo("running");
        assertThat(resumed.get("step").asInt()).isEqualTo(1);
        assertThat(resumed.get("share").asInt()).isEqualTo(20);
        assertThat(resumed.get("step_started_at").asText()).as("its step timer goes on").isEqualTo(stepStarted);
        assertThat(weight("web-green")).isEqualTo(20);
        try (RawHttp c = new RawHttp(proxy())) {
            int onGreen = 0;
            for (int i = 0; i < 50; i++) {
                onGreen += "green".equals(c.exchange(GET).header("x-origin")) ? 1 : 0;
            }
            assertThat(onGreen).as("20% by turns").isEqualTo(10);
            // Traffic lets the step end (its figures count from the restart), and the last step ends it.
            await().atMost(DEADLINE).until(() -> {
                for (int i = 0; i < 20; i++) {
                    assertThat(c.exchange(GET).status()).isEqualTo(200);
                }
                return "done".equals(phase());
            });
        }
        assertThat(weight("web-green")).isEqualTo(100);

        // A paused rollout stays paused.
        assertThat(post("/routes/app/rollout", plan("[50, 100]", "1h", null)).status()).isEqualTo(202);
        assertThat(post("/routes/app/rollout/pause", null).status()).isEqualTo(200);
        restart();
        assertThat(phase()).isEqualTo("paused");
        assertThat(rollout().get("share").asInt()).isEqualTo(50);
        assertThat(weight("web-green")).isEqualTo(50);
        assertThat(post("/routes/app/rollout/resume", null).json().get("phase").asText()).isEqualTo("running");
        JsonNode state = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Files.readString(stateFile));
        assertThat(state.get("format").asText()).isEqualTo("bascule-state/2");
        assertThat(state.at("/rollouts/0/steps/0").asInt()).isEqualTo(50);
    }

    @Test
    void aReloadThatTakesTheSplitAwayEndsTheRollout() throws Exception {
        startProxy();
        assertThat(post("/routes/app/rollout", plan("[30, 100]", "1h", null)).status()).isEqualTo(202);
        writeConfig("upstream: web-blue");
        bascule.reload().get(10, TimeUnit.SECONDS);
        JsonNode ended = rollout();
        assertThat(ended.get("phase").asText()).isEqualTo("aborted");
        assertThat(ended.get("reason").asText()).isEqualTo("the file has no split on route 'app' now");
        assertThat(lines()).contains("reload: route app rollout to web-green aborted: the file has no split on route"
                + " 'app' now");
        assertThat(rollouts("aborted")).isEqualTo(1.0);
        assertThat(post("/routes/app/rollout/abort", null).status()).isEqualTo(409);
    }

    @Test
    void aReloadThatChangesTheSplitUnderTheRolloutEndsItAndTheFileWins() throws Exception {
        startProxy();
        assertThat(post("/routes/app/rollout", plan("[30, 100]", "1h", null)).status()).isEqualTo(202);
        bascule.reload().get(10, TimeUnit.SECONDS); // the same file: the rollout goes on
        assertThat(phase()).isEqualTo("running");
        assertThat(weight("web-green")).isEqualTo(30);

        writeConfig("split: [ { upstream: web-blue, weight: 80 }, { upstream: web-green, weight: 20 } ]");
        bascule.reload().get(10, TimeUnit.SECONDS);
        JsonNode ended = rollout();
        assertThat(ended.get("phase").asText()).isEqualTo("aborted");
        assertThat(ended.get("reason").asText()).startsWith("the file changed the route's split since");
        assertThat(weight("web-green")).as("the file's split applies").isEqualTo(20);
        assertThat(weight("web-blue")).isEqualTo(80);
        assertThat(rollouts("aborted")).isEqualTo(1.0);
    }

    @Test
    void aStateFileWithABadRolloutIsReportedAndIgnored() throws Exception {
        String at = Instant.parse("2026-01-01T00:00:00Z").toString();
        Files.writeString(stateFile, """
                {"format": "bascule-state/2", "version": 2, "written_at": "%1$s", "servers": [], "splits": [],
                 "rollouts": [ { "route": "app", "to": "web-green", "steps": [50, 20], "step_interval_ms": 1000,
                   "guard": { "max_error_rate": 0.01, "max_p99_ratio": 1.5, "min_requests": 100 },
                   "before": { "web-blue": 90, "web-green": 10 }, "phase": "running", "step": 0, "share": 50,
                   "started_at": "%1$s", "step_started_at": "%1$s", "paused_elapsed_ms": 0, "ended_at": null,
                   "reason": null } ] }
                """.formatted(at));
        startProxy();
        assertThat(lines()).contains("state file " + stateFile + " ignored, starting from the config alone:"
                + " rollouts[0]: steps must rise, each within 1..100: [50, 20]");
        assertThat(rollout().isNull()).isTrue();
        assertThat(weight("web-green")).isEqualTo(10);
    }
}
