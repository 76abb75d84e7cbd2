package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bascule.config.ConfigLoader;
import dev.bascule.testing.AdminClient;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestOrigin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Runtime changes kept in the state file, with a real proxy started from a config file: a restart keeps the
 * split and the server changes made through the admin API; a torn or invalid state file is reported and ignored;
 * a reload keeps each change unless the file changed that same thing since, and then says the file wins.
 */
@ExtendWith(LeakGuard.class)
class StateFileTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ConfigLoader LOADER = Main.loader();

    @TempDir
    Path dir;
    private Path config;
    private Path stateFile;
    private TestOrigin blue1;
    private TestOrigin blue2;
    private TestOrigin green;
    private TestOrigin extra;
    private Bascule bascule;
    private AdminClient admin;
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @BeforeEach
    void start() throws Exception {
        blue1 = TestOrigin.start("blue-1");
        blue2 = TestOrigin.start("blue-2");
        green = TestOrigin.start("green");
        extra = TestOrigin.start("extra");
        config = dir.resolve("labs.yaml");
        stateFile = dir.resolve("labs.state.json");
        writeConfig(90, 10, 1, "");
        logged.start();
        root.addAppender(logged);
    }

    @AfterEach
    void stop() {
        root.detachAppender(logged);
        if (bascule != null) {
            bascule.close();
        }
        for (TestOrigin o : List.of(blue1, blue2, green, extra)) {
            o.close();
        }
    }

    /** The config, with web-blue's second server at {@code blue2Weight} and {@code moreBlue} servers after it. */
    private void writeConfig(int blueShare, int greenShare, int blue2Weight, String moreBlue) throws Exception {
        Files.writeString(config, """
                listeners: [ { name: public, address: 127.0.0.1:0 } ]
                admin: { address: 127.0.0.2:0 }
                access_log: { to: off }
                upstreams:
                  web-blue:
                    servers:
                      - { address: %s }
                      - { address: %s, weight: %d }%s
                  web-green: { servers: [ { address: %s } ] }
                routes:
                  - name: app
                    match: { host: labs.test }
                    split: [ { upstream: web-blue, weight: %d }, { upstream: web-green, weight: %d } ]
                """.formatted(blue1.address(), blue2.address(), blue2Weight, moreBlue, green.address(), blueShare,
                greenShare));
    }

    private void startProxy() throws Exception {
        bascule = Bascule.start(LOADER.load(config), 1, () -> LOADER.load(config));
        admin = new AdminClient(bascule.adminAddress());
    }

    private void restart() throws Exception {
        bascule.close(); // the state writer finishes its last write before close returns
        bascule = null;
        startProxy();
    }

    private void reload() throws Exception {
        bascule.reload().get(10, TimeUnit.SECONDS);
    }

    /** Split, add, reweight, drain: one of each change the state file keeps. */
    private void changeThroughTheApi() throws Exception {
        assertThat(admin.send("PUT", "/routes/app/split", "{\"web-blue\": 80, \"web-green\": 20}").status())
                .isEqualTo(200);
        assertThat(admin.send("POST", "/upstreams/web-blue/servers",
                "{\"address\": \"" + extra.address() + "\", \"weight\": 3}").status()).isEqualTo(201);
        assertThat(admin.send("PATCH", "/upstreams/web-blue/servers/" + blue2.address(), "{\"weight\": 5}").status())
                .isEqualTo(200);
        assertThat(admin.send("POST", "/upstreams/web-blue/servers/" + blue1.address() + "/drain", null).status())
                .isEqualTo(200);
    }

    private JsonNode server(String address) throws Exception {
        for (JsonNode s : admin.get("/status").json().at("/upstreams/web-blue/servers")) {
            if (s.get("address").asText().equals(address)) {
                return s;
            }
        }
        return null;
    }

    private JsonNode split() throws Exception {
        return admin.get("/routes/app").json();
    }

    private List<String> lines() {
        return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void aRestartKeepsTheSplitAndTheServerChangesMadeThroughTheApi() throws Exception {
        startProxy();
        changeThroughTheApi();
        restart();

        JsonNode app = split();
        assertThat(app.at("/split/0/weight").asInt()).isEqualTo(80);
        assertThat(app.at("/split/1/weight").asInt()).isEqualTo(20);
        assertThat(app.get("split_source").asText()).isEqualTo("api");
        assertThat(server(extra.address()).get("source").asText()).isEqualTo("api");
        assertThat(server(extra.address()).get("weight").asInt()).isEqualTo(3);
        assertThat(server(blue2.address()).get("weight").asInt()).isEqualTo(5);
        assertThat(server(blue1.address()).get("state").asText()).isEqualTo("draining");
        try (RawHttp c = new RawHttp(bascule.listenerAddresses().get(0))) {
            for (int i = 0; i < 50; i++) {
                RawHttp.Response r = c.exchange("GET / HTTP/1.1\r\nHost: labs.test\r\n\r\n");
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("x-origin")).as("drained").isNotEqualTo("blue-1");
            }
        }

        // Removing the added server and undraining leave only what still differs from the file.
        assertThat(admin.send("DELETE", "/upstreams/web-blue/servers/" + extra.address(), null).status())
                .isEqualTo(202);
        assertThat(admin.send("POST", "/upstreams/web-blue/servers/" + blue1.address() + "/undrain", null).status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> server(extra.address()) == null);
        restart();
        assertThat(server(extra.address())).isNull();
        assertThat(server(blue1.address()).get("state").asText()).isEqualTo("healthy");
        JsonNode state = JSON.readTree(Files.readString(stateFile));
        assertThat(state.get("format").asText()).isEqualTo("bascule-state/2");
        assertThat(state.get("servers")).hasSize(1);
        assertThat(state.at("/servers/0/change").asText()).isEqualTo("weight");
        assertThat(state.at("/servers/0/file_weight").asInt()).isEqualTo(1);
        assertThat(state.at("/splits/0/file_weights/web-blue").asInt()).isEqualTo(90);
        assertThat(dir.resolve(".labs.state.json.tmp")).as("no temporary file left").doesNotExist();
    }

    @Test
    void aTornOrInvalidStateFileIsReportedAndIgnored() throws Exception {
        Files.writeString(stateFile, "{\"format\": \"bascule-state/1\", \"version\": 3, \"spl");
        startProxy();
        assertThat(lines()).anySatisfy(l -> assertThat(l).startsWith("state file " + stateFile
                + " ignored, starting from the config alone: not valid JSON (a write cut short?)"));
        assertThat(split().get("split_source").asText()).isEqualTo("file");

        Files.writeString(stateFile, """
                {"format": "bascule-state/1", "version": 2, "written_at": "2026-01-01T00:00:00Z", "servers": [],
                 "splits": [ { "route": "app", "weights": { "web-blue": 80, "web-green": 10 },
                               "file_weights": { "web-blue": 90, "web-green": 10 }, "at": "2026-01-01T00:00:00Z" } ] }
                """);
        logged.list.clear();
        restart();
        assertThat(lines()).contains("state file " + stateFile + " ignored, starting from the config alone:"
                + " splits[0]: 'weights' add up to 90, not 100");
        assertThat(split().at("/split/0/weight").asInt()).isEqualTo(90);

        // The next change writes a whole, valid file over it.
        assertThat(admin.send("PUT", "/routes/app/split", "{\"web-blue\": 70, \"web-green\": 30}").status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.readString(stateFile).contains("\"web-blue\" : 70"));
        assertThat(JSON.readTree(Files.readString(stateFile)).get("version").asInt()).isEqualTo(1);
    }

    @Test
    void aReloadKeepsARuntimeChangeUnlessTheFileChangedThatSameThing() throws Exception {
        startProxy();
        changeThroughTheApi();

        reload(); // the file did not change: every change stands
        assertThat(split().at("/split/0/weight").asInt()).isEqualTo(80);
        assertThat(server(extra.address()).get("source").asText()).isEqualTo("api");
        assertThat(server(blue2.address()).get("weight").asInt()).isEqualTo(5);
        assertThat(server(blue1.address()).get("state").asText()).isEqualTo("draining");
        assertThat(lines()).noneSatisfy(l -> assertThat(l).startsWith("reload:"));

        // Now the file changes the split, blue-2's weight, and lists the added server itself.
        writeConfig(70, 30, 4, "\n      - { address: " + extra.address() + ", weight: 2 }");
        reload();
        JsonNode app = split();
        assertThat(app.at("/split/0/weight").asInt()).as("the file wins").isEqualTo(70);
        assertThat(app.get("split_source").asText()).isEqualTo("file");
        assertThat(server(blue2.address()).get("weight").asInt()).isEqualTo(4);
        assertThat(server(extra.address()).get("source").asText()).isEqualTo("config");
        assertThat(server(extra.address()).get("weight").asInt()).isEqualTo(2);
        assertThat(server(blue1.address()).get("state").asText()).as("the file says nothing of draining")
                .isEqualTo("draining");
        assertThat(lines()).contains(
                "reload: route 'app': the file changed its split since the admin API set it (file then: web-blue 90,"
                        + " web-green 10; now: web-blue 70, web-green 30; API: web-blue 80, web-green 20): the file's"
                        + " split applies",
                "reload: upstream 'web-blue' server " + extra.address() + ": the file lists it now (weight 2): the"
                        + " file's entry applies instead of the one added through the admin API",
                "reload: upstream 'web-blue' server " + blue2.address() + ": the file changed its weight since the"
                        + " admin API set it (file then: 1; now: 4; API: 5): the file's weight applies");
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            JsonNode state = JSON.readTree(Files.readString(stateFile));
            return state.get("splits").isEmpty() && state.get("servers").size() == 1;
        });
    }
}
