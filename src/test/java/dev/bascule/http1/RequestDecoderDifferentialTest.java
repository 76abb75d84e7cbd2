package dev.bascule.http1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bascule.http1.RequestDecoderDifferential.Outcome;
import dev.bascule.testing.LeakGuard;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The differential comparison of {@link Http1RequestDecoder} with the parsing it replaced ({@link
 * RequestDecoderDifferential}) over the fuzz target's seed corpus and past findings, and over seeded random
 * mutations of them, so the normal build covers it without Jazzer.
 */
@ExtendWith(LeakGuard.class)
class RequestDecoderDifferentialTest {
    private static final Path CORPUS =
            Path.of("src/fuzz/resources/dev/bascule/http1/RequestDecoderDifferentialFuzzTargetInputs/parse");

    private static final String[] TOKENS = {
        "\r", "\n", "\r\n", " ", "\t", "\u0000", "\u000b", "\u007f", ",", ";", ":", "=", "\"", "\\", "0", "5", "f",
        "-", "_", "+", "chunked", "\r\n\r\n", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.9", "\u0080", "\u00ff",
        "Content-Length: 3\r\n", "Transfer-Encoding: chunked\r\n", "GET /smuggled HTTP/1.1\r\nHost: app.test\r\n\r\n",
        " folded\r\n", "Host: other.test\r\n", "Transfer-Encoding: chunked, identity\r\n", "Content-Length: 0, 0\r\n",
        "ffffffffff\r\n", "0\r\n\r\n", "3;a=\"b\\\"c\"\r\nabc\r\n", "Sec-WebSocket-Key1: x\r\nSec-WebSocket-Key2: y\r\n",
        "Trailer: x\r\n", "X_Y: 1\r\n", "A--B: 1\r\n",
    };

    private static List<byte[]> corpus() throws IOException {
        List<byte[]> inputs = new ArrayList<>();
        try (Stream<Path> files = Files.list(CORPUS)) {
            for (Path f : files.sorted().toList()) {
                inputs.add(Files.readAllBytes(f));
            }
        }
        return inputs;
    }

    @Test
    void corpusDecodesAlike() throws IOException {
        List<byte[]> inputs = corpus();
        assertThat(inputs).hasSizeGreaterThan(10);
        for (byte[] input : inputs) {
            RequestDecoderDifferential.check(input);
        }
    }

    @Test
    void randomMutationsDecodeAlike() throws IOException {
        List<byte[]> seeds = corpus();
        Random random = new Random(20261130L);
        long deadline = System.nanoTime() + 6_000_000_000L;
        int runs = 0;
        while (runs < 5000 && System.nanoTime() < deadline) {
            byte[] seed = seeds.get(random.nextInt(seeds.size()));
            RequestDecoderDifferential.check(mutate(seed, random));
            runs++;
        }
        assertThat(runs).isGreaterThan(100);
    }

    /** The harness itself: a difference in the body is reported. */
    @Test
    void aDifferenceIsReported() {
        byte[] a = "POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\na".getBytes(StandardCharsets.ISO_8859_1);
        Outcome outcome = RequestDecoderDifferential.compare(a, RequestDecoderDifferential.FRONTEND, null);
        assertThat(outcome.requests()).hasSize(1);
        assertThat(outcome.requests().get(0).body()).containsExactly('a');
        Outcome other = RequestDecoderDifferential.compare(
                "POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nb".getBytes(StandardCharsets.ISO_8859_1),
                RequestDecoderDifferential.FRONTEND, null);
        assertThat(other).isNotEqualTo(outcome);
    }

    /** The allowances: trailers are checked as strictly as the head's fields, where Netty is lenient. */
    @Test
    void trailersAreStricterThanNettys() {
        String chunked = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n";
        for (String trailers : new String[] {"T: 1\r\n folded\r\n\r\n", "Content-Length: \u0001\r\n\r\n"}) {
            byte[] input = (chunked + trailers).getBytes(StandardCharsets.ISO_8859_1);
            Outcome outcome = RequestDecoderDifferential.compare(input, RequestDecoderDifferential.FRONTEND, null);
            assertThat(outcome.failure()).isEqualTo("400");
            assertThat(outcome.failedInBody()).isTrue();
        }
        byte[] folded = "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(RequestDecoderDifferential.compare(folded, RequestDecoderDifferential.FRONTEND, null).failure())
                .isEqualTo("400");
        assertThatThrownBy(() -> new Http1RequestDecoder(
                RequestDecoderDifferential.FRONTEND.clone().setStrictLineParsing(false)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] mutate(byte[] seed, Random random) {
        byte[] b = seed;
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = b.length == 0 ? 0 : random.nextInt(b.length + 1);
            switch (random.nextInt(5)) {
                case 0 -> b = splice(b, at, 0, TOKENS[random.nextInt(TOKENS.length)]);
                case 1 -> b = splice(b, at, Math.min(b.length - at, 1 + random.nextInt(3)), "");
                case 2 -> b = splice(b, at, Math.min(b.length - at, 1), TOKENS[random.nextInt(TOKENS.length)]);
                case 3 -> {
                    if (b.length > 0) {
                        b = b.clone();
                        b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                    }
                }
                default -> b = splice(b, at, 0, new String(b, StandardCharsets.ISO_8859_1)); // pipelined copy
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, int remove, String insert) {
        byte[] ins = insert.getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[b.length - remove + ins.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(ins, 0, out, at, ins.length);
        System.arraycopy(b, at + remove, out, at + ins.length, b.length - at - remove);
        return out;
    }
}
