package dev.bascule.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bascule.release.RolloutPlan;
import dev.bascule.release.RolloutState;
import dev.bascule.release.StepFigures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file store: versions, conditional writes, whole replacement, and every kind of bad file refused with why. */
class FileStateStoreTest {
    private static final Instant AT = Instant.parse("2026-03-14T09:26:53Z");
    private static final Clock CLOCK = Clock.fixed(AT, ZoneOffset.UTC);

    @TempDir
    Path dir;

    private static ReleaseState sample() {
        Map<String, Integer> weights = new LinkedHashMap<>();
        weights.put("web-blue", 80);
        weights.put("web-green", 20);
        Map<String, Integer> file = new LinkedHashMap<>();
        file.put("web-blue", 90);
        file.put("web-green", 10);
        long t = AT.toEpochMilli();
        RolloutPlan plan = new RolloutPlan("web-green", List.of(5, 25, 50, 100), 30_000,
                new RolloutPlan.Guard(0.01, 1.5, 100));
        RolloutState running = new RolloutState("app", plan, file, RolloutState.Phase.RUNNING, 1, 25, t, t + 30_123,
                0, 0, null, StepFigures.NONE, StepFigures.NONE);
        RolloutState over = new RolloutState("shop", plan, file, RolloutState.Phase.ROLLED_BACK, 0, 0, t, t, 0,
                t + 4_000, "error rate 20.00% (20 of 100 requests answered 5xx) is over the guard's 1.00%",
                StepFigures.NONE, StepFigures.NONE);
        return new ReleaseState(List.of(new SplitChange("app", weights, file, AT)), List.of(
                new ServerChange("web-blue", "127.0.0.1:9005", ServerChange.Kind.ADDED, 3, null, AT),
                new ServerChange("web-blue", "127.0.0.1:9001", ServerChange.Kind.WEIGHT, 5, 1, AT),
                new ServerChange("web-blue", "127.0.0.1:9002", ServerChange.Kind.DRAINED, 0, 1, AT),
                new ServerChange("web-green", "127.0.0.1:9003", ServerChange.Kind.REMOVED, 0, 2, AT)),
                List.of(running, over));
    }

    @Test
    void aFileOfTheFirstFormatIsStillRead() throws Exception {
        Path file = dir.resolve("old.json");
        Files.writeString(file, """
                {"format": "bascule-state/1", "version": 2, "written_at": "2026-01-01T00:00:00Z", "servers": [],
                 "splits": [ { "route": "app", "weights": { "web-blue": 80, "web-green": 20 },
                               "file_weights": { "web-blue": 90, "web-green": 10 }, "at": "2026-01-01T00:00:00Z" } ] }
                """);
        Versioned v = new FileStateStore(file, CLOCK).load();
        assertThat(v.version()).isEqualTo(2);
        assertThat(v.state().splits()).hasSize(1);
        assertThat(v.state().rollouts()).isEmpty();
    }

    @Test
    void whatIsWrittenIsReadBackWithItsVersion() throws Exception {
        FileStateStore store = new FileStateStore(dir.resolve("s.json"), CLOCK);
        assertThat(store.load()).isEqualTo(Versioned.NONE);
        assertThat(store.compareAndSet(0, sample())).isEqualTo(1);
        assertThat(store.compareAndSet(1, ReleaseState.EMPTY)).isEqualTo(2);
        assertThat(store.compareAndSet(2, sample())).isEqualTo(3);

        FileStateStore again = new FileStateStore(dir.resolve("s.json"), CLOCK);
        Versioned v = again.load();
        assertThat(v.version()).isEqualTo(3);
        assertThat(v.state()).isEqualTo(sample());
        assertThat(v.state().splits().get(0).weights().keySet()).as("in order").containsExactly("web-blue", "web-green");
        assertThat(Files.list(dir).map(p -> p.getFileName().toString()).toList()).containsExactly("s.json");
    }

    @Test
    void aWriteNamingAnotherVersionIsAConflictAndWritesNothing() throws Exception {
        FileStateStore store = new FileStateStore(dir.resolve("s.json"), CLOCK);
        store.compareAndSet(0, sample());
        assertThatThrownBy(() -> store.compareAndSet(0, ReleaseState.EMPTY))
                .isInstanceOfSatisfying(StateStoreException.Conflict.class, c -> assertThat(c.current()).isEqualTo(1));
        assertThat(new FileStateStore(dir.resolve("s.json"), CLOCK).load().state()).isEqualTo(sample());
    }

    @Test
    void aWriteThatCannotHappenSaysWhyAndLeavesNothingBehind() {
        FileStateStore store = new FileStateStore(dir.resolve("missing/s.json"), CLOCK);
        assertThatThrownBy(() -> store.compareAndSet(0, sample())).isInstanceOf(StateStoreException.class)
                .hasMessageStartingWith("cannot write " + dir.resolve("missing/s.json"));
        assertThat(dir.resolve("missing")).doesNotExist();
    }

    @Test
    void aTornOrInvalidFileIsRefusedWithTheReason() throws Exception {
        String valid = new String(StateJson.write(4, AT, sample()));
        assertRefused(valid.substring(0, valid.length() / 2), "not valid JSON (a write cut short?)");
        assertRefused("", "not a JSON object (empty, or a write cut short?)");
        assertRefused("[]", "not a JSON object (empty, or a write cut short?)");
        assertRefused(valid.replace("bascule-state/2", "bascule-state/9"), "format 'bascule-state/9' is not"
                + " bascule-state/2 (nor bascule-state/1)");
        assertRefused(valid.replace("\"phase\" : \"running\"", "\"phase\" : \"walking\""),
                "rollouts[0]: unknown phase 'walking'");
        assertRefused(valid.replace("\"steps\" : [ 5, 25, 50, 100 ]", "\"steps\" : [ 50, 25 ]"),
                "rollouts[0]: steps must rise");
        assertRefused(valid.replace("\"max_p99_ratio\" : 1.5", "\"max_p99_ratio\" : 0.5"),
                "rollouts[0]: max_p99_ratio must be at least 1, found 0.5");
        assertRefused(valid.replace("\"splits\"", "\"extra\" : 1, \"splits\""), "the state: unknown field 'extra'");
        assertRefused(valid.replace("\"change\" : \"added\"", "\"change\" : \"moved\""),
                "servers[0]: unknown change 'moved', expected added, removed, weight or drained");
        assertRefused(valid.replace("\"web-blue\" : 80", "\"web-blue\" : 81"),
                "splits[0]: 'weights' add up to 101, not 100");
        assertRefused(valid.replace("\"version\" : 4", "\"version\" : \"4\""),
                "the state: 'version' must be an integer from 1 to 9223372036854775807");
        assertRefused(valid.replace("\"at\" : \"2026-03-14T09:26:53Z\"", "\"at\" : \"yesterday\""),
                "splits[0]: 'at' is not an ISO-8601 instant: yesterday");
    }

    private void assertRefused(String content, String reason) throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, content);
        assertThatThrownBy(() -> new FileStateStore(file, CLOCK).load()).isInstanceOf(StateStoreException.class)
                .hasMessageStartingWith(reason);
    }
}
