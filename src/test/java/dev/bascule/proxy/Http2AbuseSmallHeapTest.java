package dev.bascule.proxy;

import static dev.bascule.testing.RawH2.CANCEL;
import static dev.bascule.testing.RawH2.CONTINUATION;
import static dev.bascule.testing.RawH2.END_HEADERS;
import static dev.bascule.testing.RawH2.END_STREAM;
import static dev.bascule.testing.RawH2.ENHANCE_YOUR_CALM;
import static dev.bascule.testing.RawH2.GOAWAY;
import static dev.bascule.testing.RawH2.HEADERS;
import static dev.bascule.testing.RawH2.PING;
import static dev.bascule.testing.RawH2.PROTOCOL_ERROR;
import static dev.bascule.testing.RawH2.REFUSED_STREAM;
import static dev.bascule.testing.RawH2.RST_STREAM;
import static dev.bascule.testing.RawH2.SETTINGS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.testing.Bystander;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawH2;
import dev.bascule.testing.TestOrigin;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * HTTP/2 abuse from a client, each pattern written frame by frame on a raw socket ({@link RawH2}), while a
 * well-behaved client on another connection ({@link Bystander}) keeps getting 200s during and after the attack.
 * The abuser's requests go to an origin of their own ({@code victim}, paths under {@code /abuse}, which Bascule
 * strips), so what reaches it is exactly what Bascule forwarded of the attack.
 *
 * <p>Runs in the small-heap JVM ({@code -Xmx128m}, see the pom): the HPACK bombs below decode to gigabytes of
 * headers, and the floods would queue without end, if Bascule held what they ask it to.
 */
@ExtendWith(LeakGuard.class)
class Http2AbuseSmallHeapTest {
    private static final int MAX_STREAMS = 10;
    private static final int MAX_HEADER_SIZE = 8192;
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private TestOrigin origin;
    private TestOrigin victim;
    private ProxyUnderTest proxy;

    @BeforeEach
    void start() throws Exception {
        origin = TestOrigin.start("web");
        victim = TestOrigin.start("victim");
        proxy = ProxyUnderTest.start("""
                listeners:
                  - address: 127.0.0.1:0
                    protocols: [http1, h2c]
                limits:
                  h2_max_concurrent_streams: %d
                  max_header_size: %d
                  max_header_count: 20
                upstreams:
                  web: { servers: [ { address: %s } ] }
                  victim: { servers: [ { address: %s } ] }
                routes:
                  - match: { path_prefix: /abuse }
                    strip_prefix: true
                    upstream: victim
                  - match: { path_prefix: / }
                    upstream: web
                """.formatted(MAX_STREAMS, MAX_HEADER_SIZE, origin.address(), victim.address()), 2);
    }

    @AfterEach
    void stop() {
        proxy.close();
        origin.close();
        victim.close();
    }

    private interface Attack {
        void run() throws Exception;
    }

    /** Runs {@code attack} while a bystander on another connection is served; it must see nothing but 200s. */
    private void whileABystanderIsServed(Attack attack) throws Exception {
        assertThat(Runtime.getRuntime().maxMemory()).as("runs with a small heap").isLessThan(200L * 1024 * 1024);
        try (Bystander bystander = new Bystander(proxy.address(), "/bystander", 1_000_000)) {
            await().atMost(DEADLINE).until(() -> bystander.ok() > 0);
            attack.run();
            int after = bystander.ok();
            await().atMost(DEADLINE).until(() -> bystander.ok() > after);
            assertThat(bystander.failures()).as("the bystander's requests").isEmpty();
            assertThat(bystander.goneAway()).as("GOAWAY to the bystander").isFalse();
        }
    }

    private static String describe(RawH2.Frame f) {
        return f == null ? "the end of the connection" : f.toString();
    }

    /** Reads on until the GOAWAY that ends the connection, which must carry {@code errorCode}. */
    private static void assertGoAway(RawH2 abuser, long errorCode) throws IOException {
        RawH2.Frame goAway = abuser.goAwayThenEnd();
        assertThat(goAway).as("GOAWAY before the connection ends").isNotNull();
        assertThat(goAway.errorCode()).as("GOAWAY error code").isEqualTo(errorCode);
    }

    /** Reads the response of {@code stream} through its end and returns its status. */
    private static int statusOf(RawH2 c, int stream) throws IOException {
        int status = 0;
        for (RawH2.Frame f; (f = c.read()) != null; ) {
            if (f.streamId() != stream) {
                continue;
            }
            if (f.type() == HEADERS) {
                status = f.status();
            }
            if (f.endStream()) {
                return status;
            }
            assertThat(f.type()).as("a frame of stream %d: %s", stream, f).isNotEqualTo(RST_STREAM);
        }
        throw new IOException("connection ended before stream " + stream + " did");
    }

    // ---- streams over h2_max_concurrent_streams ----

    @Test
    void streamsOverTheLimitAreRefusedAndNeverForwarded() throws Exception {
        whileABystanderIsServed(() -> {
            try (RawH2 abuser = new RawH2(proxy.address())) {
                // Five streams more than allowed, all sent at once, each held open by a slow origin.
                int streams = MAX_STREAMS + 5;
                for (int i = 0; i < streams; i++) {
                    abuser.get(1 + 2 * i, "/abuse/delay?ms=1000&i=" + i);
                }
                abuser.flush();
                TreeSet<Integer> refused = new TreeSet<>();
                TreeSet<Integer> answered = new TreeSet<>();
                while (refused.size() + answered.size() < streams) {
                    RawH2.Frame f = abuser.read();
                    assertThat(f).as("a frame").isNotNull();
                    if (f.type() == RST_STREAM) {
                        assertThat(f.errorCode()).as("RST_STREAM error, RFC 9113 5.1.2").isEqualTo(REFUSED_STREAM);
                        refused.add(f.streamId());
                    } else if (f.type() == HEADERS) {
                        assertThat(f.status()).isEqualTo(200);
                    } else if (f.endStream()) {
                        answered.add(f.streamId());
                    }
                }
                assertThat(refused).as("the streams over the limit").containsExactly(21, 23, 25, 27, 29);
                assertThat(answered).as("the streams within it").hasSize(MAX_STREAMS).allMatch(id -> id < 21);
                assertThat(victim.requests()).as("requests forwarded").isEqualTo(MAX_STREAMS);

                // A client that keeps opening streams over the limit is refused as often as the reset bound allows,
                // then told to calm down: the refusals count with its resets (MAX_RESETS in RESET_WINDOW_SECONDS).
                int next = 1 + 2 * streams;
                for (int i = 0; i < MAX_STREAMS; i++, next += 2) {
                    abuser.get(next, "/abuse/delay?ms=2000&held=" + i);
                }
                for (int i = 0; i < Http2Pipeline.MAX_RESETS; i++, next += 2) {
                    abuser.get(next, "/abuse/delay?ms=2000&over=" + i);
                }
                abuser.flush();
                assertGoAway(abuser, ENHANCE_YOUR_CALM);
                assertThat(victim.recorded()).as("requests forwarded")
                        .filteredOn(r -> r.uri().contains("over=")).isEmpty();
                // The held streams of this second round may be cut before they reach the origin: the connection
                // ends in the same read that opened them.
                assertThat(victim.requests()).isBetween(MAX_STREAMS, 2 * MAX_STREAMS);
            }
        });
    }

    // ---- rapid reset, CVE-2023-44487 ----

    @Test
    void rapidResetEndsTheConnectionAfterTheBound() throws Exception {
        whileABystanderIsServed(() -> {
            try (RawH2 abuser = new RawH2(proxy.address())) {
                // A thousand streams opened and reset at once, in one write.
                for (int i = 0; i < 1000; i++) {
                    int id = 1 + 2 * i;
                    abuser.get(id, "/abuse/delay?ms=5000&burst=" + i).rst(id, CANCEL);
                }
                abuser.flush();
                assertGoAway(abuser, ENHANCE_YOUR_CALM);
            }
            // At most MAX_RESETS + 1 streams were opened: Netty's decoder stops at the reset past the bound and
            // reads nothing after it, and a stream is forwarded at most once. In practice none is: each reset
            // arrives in the same read as its HEADERS, before the exchange could reach an origin connection.
            assertThat(victim.requests()).isLessThanOrEqualTo(Http2Pipeline.MAX_RESETS + 1);
        });
    }

    @Test
    void resetsThatWaitForTheOriginStillMeetTheBound() throws Exception {
        whileABystanderIsServed(() -> {
            try (RawH2 abuser = new RawH2(proxy.address())) {
                // The cleverer abuser: each request is reset only once it has reached the origin, so every one
                // costs the origin something. Exactly MAX_RESETS + 1 get there: the reset of the last one ends
                // the connection, and every one before it was cancelled upstream.
                for (int sent = 0; sent <= Http2Pipeline.MAX_RESETS + 5; sent++) {
                    int id = 1 + 2 * sent;
                    int expected = sent + 1;
                    try {
                        abuser.get(id, "/abuse/delay?ms=10000&spaced=" + sent).flush();
                        await().atMost(Duration.ofSeconds(2)).pollDelay(Duration.ZERO)
                                .pollInterval(Duration.ofMillis(1)).until(() -> victim.requests() == expected);
                        abuser.rst(id, CANCEL).flush();
                    } catch (ConditionTimeoutException | IOException e) {
                        break; // the connection is closed: the request was never read
                    }
                }
                assertThat(victim.requests()).as("requests forwarded").isEqualTo(Http2Pipeline.MAX_RESETS + 1);
                assertGoAway(abuser, ENHANCE_YOUR_CALM);
            }
            // Every one of them was cancelled: the origin's connections for them are closed, none waits its 10 s.
            await().atMost(DEADLINE).until(() -> victim.openConnections() == 0);
        });
    }

    // ---- CONTINUATION flood, CVE-2024-27316 ----

    @Test
    void continuationFloodEndsTheConnection() throws Exception {
        whileABystanderIsServed(() -> {
            try (RawH2 abuser = new RawH2(proxy.address())) {
                // A header block cut into 10-byte pieces, END_HEADERS never set.
                byte[] block = abuser.encode(RawH2.request("GET", "/abuse/continuation")
                        .add("x-filler", "f".repeat(2000)));
                abuser.frame(HEADERS, END_STREAM, 1, block, 0, 10);
                for (int at = 10; at < block.length; at += 10) {
                    abuser.frame(CONTINUATION, 0, 1, block, at, Math.min(10, block.length - at));
                }
                abuser.flush();
                // Netty ends it after MAX_SMALL_CONTINUATION_FRAMES pieces under 8 KiB, whatever they add up to.
                assertGoAway(abuser, ENHANCE_YOUR_CALM);
            }
            try (RawH2 abuser = new RawH2(proxy.address())) {
                // Large pieces instead: nothing is small, so the bound is the header block's size. Netty stops
                // collecting once it passes 1.25 times max_header_size (SETTINGS_MAX_HEADER_LIST_SIZE, which it
                // advertised) and ends the connection as malformed: GOAWAY(PROTOCOL_ERROR), RFC 9113 10.5.1.
                byte[] block = abuser.encode(RawH2.request("GET", "/abuse/big-continuation")
                        .add("x-filler", "f".repeat(256 * 1024)));
                abuser.frame(HEADERS, END_STREAM, 1, block, 0, 8192);
                try {
                    for (int at = 8192; at < block.length; at += 8192) {
                        abuser.frame(CONTINUATION, 0, 1, block, at, Math.min(8192, block.length - at));
                    }
                    abuser.flush();
                } catch (IOException closed) {
                    // the server closed before the abuser was done: what it sent is still to be read
                }
                assertGoAway(abuser, PROTOCOL_ERROR);
            }
            assertThat(victim.requests()).isZero();
        });
    }

    // ---- SETTINGS and PING floods, CVE-2019-9515 and CVE-2019-9512 ----

    /**
     * Writes {@code frame} again and again without reading a byte, until the server closes the connection (the
     * write fails) or a million frames went out; then reads what the server had answered: the acknowledgements of
     * the frames it took, and a GOAWAY. Returns the frames read, the GOAWAY last.
     */
    private static List<RawH2.Frame> floodWithoutReading(RawH2 abuser, Attack frame) throws Exception {
        try {
            for (int i = 0; i < 1_000_000; i++) {
                frame.run();
                if (i % 1000 == 999) {
                    abuser.flush();
                }
            }
            abuser.flush();
        } catch (IOException closed) {
            // Bascule closed the connection: what it sent before is still in this socket's buffer
        }
        List<RawH2.Frame> read = new ArrayList<>();
        for (RawH2.Frame f; (f = abuser.read()) != null; ) {
            read.add(f);
        }
        return read;
    }

    @Test
    void settingsFloodEndsTheConnection() throws Exception {
        whileABystanderIsServed(() -> {
            try (RawH2 abuser = new RawH2(proxy.address())) {
                List<RawH2.Frame> read = floodWithoutReading(abuser,
                        () -> abuser.frame(SETTINGS, 0, 0, new byte[0]));
                assertThat(read).as("frames read").isNotEmpty();
                RawH2.Frame last = read.get(read.size() - 1);
                assertThat(last.type()).as("the last frame: %s", describe(last)).isEqualTo(GOAWAY);
                assertThat(last.errorCode()).isEqualTo(ENHANCE_YOUR_CALM);
                // Its own SETTINGS, then one acknowledgement per SETTINGS it took (the preface's and the flood's)
                // up to the bound, then the GOAWAY: the answers queued are bounded, not a socket full.
                long acks = read.stream().filter(f -> f.type() == SETTINGS && (f.flags() & RawH2.ACK) != 0).count();
                assertThat(acks).isEqualTo(Http2FloodGuard.MAX_SETTINGS + 1);
            }
        });
    }

    @Test
    void pingFloodEndsTheConnection() throws Exception {
        whileABystanderIsServed(() -> {
            try (RawH2 abuser = new RawH2(proxy.address())) {
                long[] n = {0};
                List<RawH2.Frame> read = floodWithoutReading(abuser, () -> abuser.ping(n[0]++));
                RawH2.Frame last = read.isEmpty() ? null : read.get(read.size() - 1);
                assertThat(last).as("the last frame").isNotNull();
                assertThat(last.type()).as("the last frame: %s", describe(last)).isEqualTo(GOAWAY);
                assertThat(last.errorCode()).isEqualTo(ENHANCE_YOUR_CALM);
                // The first ping is not idle (nothing was asked of the connection before it), then MAX_IDLE_PINGS
                // idle ones pass and the next ends the connection; each was acknowledged as it was read.
                long acks = read.stream().filter(f -> f.type() == PING).count();
                assertThat(acks).isEqualTo(Http2FloodGuard.MAX_IDLE_PINGS + 2);
            }
        });
    }

    @Test
    void pingsBetweenResponsesAreNotAFlood() throws Exception {
        try (RawH2 client = new RawH2(proxy.address())) {
            // A client that pings as data reaches it (as gRPC's bandwidth estimate does), far more often than the
            // flood bound: the responses in between keep each ping from counting as idle.
            int rounds = 3 * Http2FloodGuard.MAX_IDLE_PINGS;
            for (int i = 0; i < rounds; i++) {
                int id = 1 + 2 * i;
                client.ping(i).get(id, "/abuse/?round=" + i).flush();
                assertThat(statusOf(client, id)).isEqualTo(200);
            }
            assertThat(victim.requests()).isEqualTo(rounds);
        }
    }

    // ---- empty DATA frames ----

    @Test
    void emptyDataFloodEndsTheConnection() throws Exception {
        whileABystanderIsServed(() -> {
            try (RawH2 abuser = new RawH2(proxy.address())) {
                abuser.headers(1, RawH2.request("POST", "/abuse/upload"), false).flush();
                // The upload begins upstream first, so the flood's end has something to cancel there. (Were the
                // flood to end the connection before Bascule had connected to the origin, that connection would
                // carry nothing and go to the pool, clean.)
                await().atMost(DEADLINE).until(() -> victim.requests() == 1);
                for (int i = 0; i < 100; i++) {
                    abuser.data(1, new byte[0], false);
                }
                abuser.flush();
                // Netty tolerates MAX_CONSECUTIVE_EMPTY_DATA_FRAMES in a row, then ends the connection.
                assertGoAway(abuser, ENHANCE_YOUR_CALM);
            }
            // The upload had begun upstream; its end with the connection cancelled it there.
            await().atMost(DEADLINE).until(() -> victim.openConnections() == 0);
            assertThat(victim.bytesUploaded()).isZero();
        });
    }

    // ---- HPACK bomb ----

    /**
     * A header block that inserts one field of {@code valueLength} bytes into the HPACK dynamic table, then refers
     * to it {@code refs} times with one byte each (RFC 7541 6.1, 6.2.1): a few KiB that decode to refs times the
     * value.
     */
    private static byte[] hpackBomb(int valueLength, int refs) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x82); // :method GET (static index 2)
        b.write(0x86); // :scheme http (7)
        literal(b, 0x04, "/abuse/bomb"); // :path (4), a literal not indexed
        literal(b, 0x01, "app.test"); // :authority (1)
        b.write(0x40); // literal with incremental indexing, new name
        b.write(6);
        b.writeBytes("x-bomb".getBytes(StandardCharsets.US_ASCII));
        int v = valueLength - 127; // value length as a 7-bit prefix integer (RFC 7541 5.1)
        b.write(0x7f);
        while (v >= 128) {
            b.write((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        b.write(v);
        byte[] value = new byte[valueLength];
        Arrays.fill(value, (byte) 'b');
        b.writeBytes(value);
        for (int i = 0; i < refs; i++) {
            b.write(0xbe); // indexed field 62: the newest entry of the dynamic table, the one just added
        }
        return b.toByteArray();
    }

    private static void literal(ByteArrayOutputStream b, int nameIndex, String value) {
        b.write(nameIndex); // literal field without indexing, indexed name (RFC 7541 6.2.2)
        b.write(value.length());
        b.writeBytes(value.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void hpackBombsAreRefusedUndecoded() throws Exception {
        // About 10 KB on the wire (under the 1.25 x max_header_size Netty accepts as a block) that decodes to
        // 6,000 fields of 4 KB: 24 MB of headers per block.
        byte[] bomb = hpackBomb(4000, 6000);
        assertThat(bomb.length).isLessThan(MAX_HEADER_SIZE + MAX_HEADER_SIZE / 4);
        whileABystanderIsServed(() -> {
            try (RawH2 abuser = new RawH2(proxy.address())) {
                abuser.frame(HEADERS, END_HEADERS | END_STREAM, 1, bomb).flush();
                // Netty's decoder stops keeping fields once the list passes max_header_size (it still reads the
                // block to the end, so the dynamic table stays right) and answers 431 on the stream, then resets
                // it; the connection carries on.
                RawH2.Frame head = abuser.until(HEADERS);
                assertThat(head.streamId()).isEqualTo(1);
                assertThat(head.status()).isEqualTo(431);
                RawH2.Frame reset = abuser.until(RST_STREAM);
                assertThat(reset.streamId()).isEqualTo(1);
                assertThat(reset.errorCode()).isEqualTo(PROTOCOL_ERROR);
                abuser.resetHpack(); // the bomb's entry is in the server's table, not in this encoder's
                abuser.get(3, "/abuse/after-bomb").flush();
                assertThat(statusOf(abuser, 3)).isEqualTo(200);

                // Bomb after bomb (smaller ones, 4 MB each, 850 MB in all, so the test stays quick under leak
                // detection): each refusal is a reset Bascule sends, and past MAX_RESETS of them in the window the
                // connection ends.
                byte[] smaller = hpackBomb(4000, 1000);
                try {
                    for (int i = 0; i < Http2Pipeline.MAX_RESETS + 10; i++) {
                        abuser.frame(HEADERS, END_HEADERS | END_STREAM, 5 + 2 * i, smaller);
                    }
                    abuser.flush();
                } catch (IOException closed) {
                    // the connection ended before the last bombs went out
                }
                assertGoAway(abuser, ENHANCE_YOUR_CALM);
            }
            assertThat(victim.recorded()).as("requests forwarded").extracting(TestOrigin.Recorded::uri)
                    .containsExactly("/after-bomb");
        });
    }

    // ---- the header limits of issue 5 ----

    @Test
    void headerLimitsApplyToHttp2() throws Exception {
        whileABystanderIsServed(() -> {
            try (RawH2 client = new RawH2(proxy.address())) {
                Http2Headers many = RawH2.request("GET", "/abuse/many");
                for (int i = 0; i < 21; i++) {
                    many.add("x-field-" + i, "v");
                }
                client.headers(1, many, true).flush();
                assertThat(statusOf(client, 1)).as("more than max_header_count fields").isEqualTo(431);

                // Over max_header_size as HTTP/2 counts it (name + value + 32 per field, RFC 9113 6.5.2), under
                // 1.25 times it on the wire: Netty's decoder answers 431 itself and resets the stream.
                client.headers(3, RawH2.request("GET", "/abuse/large").add("x-large", "l".repeat(MAX_HEADER_SIZE)),
                        true).flush();
                RawH2.Frame head = client.until(HEADERS);
                assertThat(head.streamId()).isEqualTo(3);
                assertThat(head.status()).as("a header block over max_header_size").isEqualTo(431);

                Http2Headers enough = RawH2.request("GET", "/abuse/within");
                for (int i = 0; i < 10; i++) {
                    enough.add("x-field-" + i, "v".repeat(100));
                }
                client.headers(5, enough, true).flush();
                assertThat(statusOf(client, 5)).as("within both limits, on the same connection").isEqualTo(200);
            }
            assertThat(victim.recorded()).extracting(TestOrigin.Recorded::uri).containsExactly("/within");
        });
    }
}
