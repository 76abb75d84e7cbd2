package dev.bascule.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bascule.stats.ExchangeRecord;
import dev.bascule.trace.HexId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log as a whole: the ring, the writer thread and the outputs, with drops, reopening and retirement. */
class AccessLogTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final AtomicLong dropped = new AtomicLong();
    private final List<AccessLog> logs = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void closeLogs() {
        logs.forEach(AccessLog::close);
    }

    private AccessLog log(OutputStream out, int capacity) {
        AccessLog log = new AccessLog(new StreamOutput(out, "test"), LineFormat.json(), dropped, capacity);
        logs.add(log);
        return log;
    }

    private AccessLog fileLog(Path file) throws IOException {
        AccessLog log = AccessLog.toFile(file, LineFormat.json(), dropped);
        logs.add(log);
        return log;
    }

    private static ExchangeRecord numbered(int i) {
        return Records.proxied().requestId("r-" + i);
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    @Test
    void eachRecordIsOneJsonLineInOrder() throws Exception {
        Lines out = new Lines();
        AccessLog log = log(out, 64);
        for (int i = 0; i < 500; i++) { // several times the ring: the writer keeps up or the test waits for it
            ExchangeRecord r = numbered(i);
            log.accept(r);
            if (i % 50 == 49) {
                int written = i + 1;
                await().atMost(WAIT).until(() -> out.lines().size() == written);
            }
        }
        List<String> lines = out.lines();
        assertThat(lines).hasSize(500);
        for (int i = 0; i < 500; i++) {
            assertThat(JSON.readTree(lines.get(i)).get("request_id").asText()).isEqualTo("r-" + i);
        }
        assertThat(dropped).hasValue(0);
    }

    @Test
    void generatedRequestIdsAreWrittenAsTheirDigitsThoughTheRecordIsReused() throws Exception {
        Lines out = new Lines();
        AccessLog log = log(out, 64);
        ExchangeRecord r = Records.proxied(); // reused, as an event loop reuses its record
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            HexId id = new HexId(i * 0x9E3779B97F4A7C15L, ~(long) i);
            ids.add(id.toString());
            log.accept(r.requestId(id)); // kept by reference in the ring: an id never changes
            if (i % 50 == 49) {
                int written = i + 1;
                await().atMost(WAIT).until(() -> out.lines().size() == written);
            }
        }
        List<String> written = new ArrayList<>();
        for (String line : out.lines()) {
            written.add(JSON.readTree(line).get("request_id").asText());
        }
        assertThat(written).containsExactlyElementsOf(ids);
        assertThat(ids.get(1)).hasSize(32).matches("[0-9a-f]{32}");
    }

    @Test
    void aBlockedWriterDropsAndCountsLinesWhileAcceptNeverWaits() throws Exception {
        BlockingStream out = new BlockingStream();
        AccessLog log = log(out, 64);
        log.accept(numbered(0));
        assertThat(out.entered.await(10, TimeUnit.SECONDS)).as("the writer is stuck in a write").isTrue();

        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (int i = 1; i <= 1000; i++) {
                log.accept(numbered(i));
            }
        });
        assertThat(dropped).as("all but the 64 slots").hasValue(1000 - 64);

        out.release.countDown();
        await().atMost(WAIT).until(() -> out.lines().size() == 1 + 64);
        log.close();
        assertThat(out.lines()).hasSize(1 + 64);
        assertThat(dropped).hasValue(1000 - 64);
        List<String> ids = new ArrayList<>();
        for (String line : out.lines()) {
            ids.add(JSON.readTree(line).get("request_id").asText());
        }
        assertThat(ids).as("the first ones, in order").startsWith("r-0", "r-1", "r-2").endsWith("r-64");
    }

    @Test
    void linesTheOutputRefusesAreCountedDropped() throws Exception {
        FailingStream out = new FailingStream();
        AccessLog log = log(out, 64);
        for (int i = 0; i < 5; i++) {
            log.accept(numbered(i));
        }
        await().atMost(WAIT).untilAtomic(dropped, org.hamcrest.Matchers.equalTo(5L));
        out.failing = false;
        log.accept(numbered(5));
        log.close();
        assertThat(out.lines()).hasSize(1);
        assertThat(dropped).hasValue(5);
    }

    @Test
    void manyEventLoopsAtOnceLoseNothingUncounted() throws Exception {
        Lines out = new Lines();
        AccessLog log = log(out, 1024);
        int threads = 4;
        int each = 20_000;
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int base = t * each;
            producers.add(new Thread(() -> {
                ExchangeRecord r = Records.proxied(); // reused, as an event loop reuses its record
                for (int i = 0; i < each; i++) {
                    log.accept(r.requestId("r-" + (base + i)));
                }
            }));
        }
        producers.forEach(Thread::start);
        for (Thread p : producers) {
            p.join(30_000);
        }
        log.close();

        List<String> lines = out.lines();
        assertThat(lines.size() + dropped.get()).isEqualTo((long) threads * each);
        Set<String> ids = new HashSet<>();
        for (String line : lines) {
            assertThat(ids.add(JSON.readTree(line).get("request_id").asText())).as("written once").isTrue();
        }
    }

    @Test
    void closeWritesOutWhatIsQueued() throws Exception {
        Path file = dir.resolve("access.log");
        AccessLog log = fileLog(file);
        for (int i = 0; i < 100; i++) {
            log.accept(numbered(i));
        }
        log.close();
        assertThat(lines(file)).hasSize(100);
        log.accept(numbered(100));
        assertThat(dropped).as("a closed log drops silently").hasValue(0);
    }

    @Test
    void reopenAfterRenameWritesToANewFileOfTheOldName() throws Exception {
        Path file = dir.resolve("access.log");
        Path rotated = dir.resolve("access.log.1");
        AccessLog log = fileLog(file);
        for (int i = 0; i < 3; i++) {
            log.accept(numbered(i));
        }
        await().atMost(WAIT).until(() -> lines(file).size() == 3);

        Files.move(file, rotated); // logrotate renames; until the signal the old file keeps growing
        log.accept(numbered(3));
        await().atMost(WAIT).until(() -> lines(rotated).size() == 4);
        assertThat(file).doesNotExist();

        log.reopen(); // SIGUSR1
        for (int i = 4; i < 9; i++) {
            log.accept(numbered(i));
        }
        await().atMost(WAIT).until(() -> lines(file).size() == 5);
        log.close();
        assertThat(lines(rotated)).hasSize(4);
        assertThat(lines(file)).hasSize(5);
        assertThat(JSON.readTree(lines(file).get(0)).get("request_id").asText()).isEqualTo("r-4");
    }

    @Test
    void aFileThatCannotBeOpenedIsAnErrorAtOnce() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> fileLog(dir.resolve("missing/access.log")))
                .isInstanceOf(IOException.class);
    }

    @Test
    void aRetiredLogHandsLateRecordsToItsSuccessorAndCloses() throws Exception {
        Lines first = new Lines();
        Lines second = new Lines();
        AccessLog old = log(first, 64);
        AccessLog next = log(second, 64);
        old.accept(numbered(0));
        old.accept(numbered(1));
        old.retire(next);
        old.accept(numbered(2)); // a request that ran on the old snapshot and ended after the reload
        next.accept(numbered(3));

        assertThat(old.awaitClosed(10, TimeUnit.SECONDS)).isTrue();
        assertThat(first.lines()).hasSize(2);
        await().atMost(WAIT).until(() -> second.lines().size() == 2);
        assertThat(second.lines().get(0)).contains("\"r-2\"");
    }

    /** Collects what the writer writes. */
    static class Lines extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            bytes.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            bytes.write(b, off, len);
        }

        synchronized List<String> lines() {
            String text = bytes.toString(StandardCharsets.UTF_8);
            return text.isEmpty() ? List.of() : List.of(text.split("\n"));
        }
    }

    /** A disk that hangs on the first write until released. */
    static final class BlockingStream extends Lines {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            super.write(b, off, len);
        }
    }

    /** A full disk until told otherwise. */
    static final class FailingStream extends Lines {
        volatile boolean failing = true;

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (failing) {
                throw new IOException("No space left on device");
            }
            super.write(b, off, len);
        }
    }
}
