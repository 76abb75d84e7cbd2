package dev.bascule.proxy;

import static dev.bascule.proxy.RequestProbe.quote;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.proxy.RequestProbe.Forwarded;
import dev.bascule.testing.LeakGuard;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Property test of the client-side request parsing (the {@link FrontendCodec} and the {@link RequestValidator},
 * as the frontend applies them) over seeded random mutations of valid requests, single and pipelined, fed in
 * random pieces. For every input: no exception escapes, every buffer is released, and every request that would
 * be forwarded is unambiguous — serialized as Bascule sends it upstream, a lenient and a strict parser each read
 * back exactly one request, with the same method, target and body, and nothing after it.
 */
@ExtendWith(LeakGuard.class)
class RequestFuzzGuardTest {
    private static final HttpDecoderConfig DECODER = RequestProbe.DECODER;

    private static final String[] SEEDS = {
        "GET /a?b=c HTTP/1.1\r\nHost: app.test\r\nAccept: */*\r\n\r\n",
        "HEAD / HTTP/1.1\r\nHost: app.test\r\n\r\n",
        "POST /upload HTTP/1.1\r\nHost: app.test\r\nContent-Length: 5\r\n\r\nhello",
        "POST /upload HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
        "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "GET http://app.test/abs HTTP/1.1\r\nHost: app.test\r\n\r\n",
        "PUT /p HTTP/1.1\r\nHost: app.test\r\nContent-Length: 0\r\nX-Multi: a, b\r\n\r\n",
        // tabs are OWS around framing values too (RFC 9110 5.6.3)
        "POST /t HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding:\tchunked\t\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        "POST /t HTTP/1.1\r\nHost: app.test\r\nContent-Length:\t2\t\r\n\r\nab",
        // HTTP/1.2 is read as 1.1 (RFC 9110 2.5); look-alike names are dropped
        "GET /v HTTP/1.2\r\nHost: app.test\r\nTransfer_Encoding: chunked\r\nContent__Length: 9\r\n\r\n",
    };

    private static final String[] TOKENS = {
        "\r", "\n", "\r\n", " ", "\t", "\u0000", "\u000b", ",", ";", ":", "0", "5", "f", "-", "+", "chunked",
        "\r\n\r\n", "HTTP/1.1", "\u0080", "\u00ff", "Content-Length: 3\r\n", "Transfer-Encoding: chunked\r\n",
        "GET /smuggled HTTP/1.1\r\nHost: app.test\r\n\r\n", " folded\r\n", "Host: other.test\r\n",
        "Transfer-Encoding: chunked, identity\r\n", "Content-Length: 0, 0\r\n", "ffffffffff\r\n",
    };

    /** Inputs that once broke a rule, kept whatever the random search does. */
    private static final String[] REGRESSIONS = {
        // A bad chunk size used to reach the origin as the request's end (a failed LastHttpContent).
        "POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n\r\n"
                + "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n",
        // Netty merges equal-or-not duplicate lengths in HTTP/1.0 and keeps the first.
        "POST /u HTTP/1.0\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n",
        // Netty joins folded lines.
        "POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n ,chunked\r\n\r\n0\r\n\r\n",
        // Netty splits the request line on any whitespace.
        "GET\t/u\tHTTP/1.1\r\nHost: a\r\n\r\n",
        // A head refused before its end arrives.
        "GET / HTTP/1.1\r\nHost: a\r\n folded",
    };

    @Test
    void randomMutationsNeverYieldAnAmbiguousRequest() {
        Random random = new Random(20240611L);
        long deadline = System.nanoTime() + 4_000_000_000L;
        int runs = 0;
        int accepted = 0;
        while (runs < 4000 && System.nanoTime() < deadline) {
            byte[] input = mutate(random);
            accepted += check(input, random);
            runs++;
        }
        assertThat(runs).as("inputs tried").isGreaterThan(1000);
        assertThat(accepted).as("some mutated inputs stay valid, so the property is not vacuous").isGreaterThan(50);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void regressionInputs(int index) {
        byte[] input = REGRESSIONS[index].getBytes(StandardCharsets.ISO_8859_1);
        List<Forwarded> forwarded = parse(input, new Random(index));
        assertThat(forwarded).extracting(Forwarded::uri).doesNotContain("/smuggled");
        check(input, new Random(index));
    }

    @Test
    void validPipelinedSeedsAreAllAccepted() {
        StringBuilder all = new StringBuilder();
        for (String s : SEEDS) {
            all.append(s);
        }
        List<Forwarded> forwarded = parse(all.toString().getBytes(StandardCharsets.ISO_8859_1), new Random(1),
                SEEDS.length);
        assertThat(forwarded).hasSize(SEEDS.length);
        assertThat(forwarded.get(3).body()).isEqualTo("hello world".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void tabsAroundFramingValuesNeverReachTheOrigin() {
        List<Forwarded> forwarded = parse((SEEDS[7] + SEEDS[8]).getBytes(StandardCharsets.ISO_8859_1), new Random(2));
        assertThat(forwarded).hasSize(2);
        String te = new String(forwarded.get(0).serialize(), StandardCharsets.ISO_8859_1);
        String cl = new String(forwarded.get(1).serialize(), StandardCharsets.ISO_8859_1);
        assertThat(te).containsIgnoringCase("\r\ntransfer-encoding: chunked\r\n").doesNotContain("\t");
        assertThat(cl).containsIgnoringCase("\r\ncontent-length: 2\r\n").doesNotContain("\t");
        assertThat(forwarded.get(1).body()).isEqualTo("ab".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void lookAlikeNamesNeverReachTheOrigin() {
        List<Forwarded> forwarded = parse(SEEDS[9].getBytes(StandardCharsets.ISO_8859_1), new Random(3));
        assertThat(forwarded).hasSize(1);
        String upstream = new String(forwarded.get(0).serialize(), StandardCharsets.ISO_8859_1);
        assertThat(upstream).startsWith("GET /v HTTP/1.1\r\n").doesNotContain("Transfer_Encoding", "Content__Length");
    }

    private static byte[] mutate(Random random) {
        String text = SEEDS[random.nextInt(SEEDS.length)];
        if (random.nextBoolean()) {
            text += SEEDS[random.nextInt(SEEDS.length)]; // a pipelined pair
        }
        StringBuilder b = new StringBuilder(text);
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations && b.length() > 0; m++) {
            int at = random.nextInt(b.length());
            switch (random.nextInt(6)) {
                case 0 -> b.setCharAt(at, (char) random.nextInt(256));
                case 1 -> b.insert(at, TOKENS[random.nextInt(TOKENS.length)]);
                case 2 -> b.delete(at, Math.min(b.length(), at + 1 + random.nextInt(8)));
                case 3 -> {
                    int start = b.lastIndexOf("\n", at) + 1;
                    int end = b.indexOf("\n", at);
                    if (end > 0) {
                        b.insert(start, b.substring(start, end + 1));
                    }
                }
                case 4 -> b.setLength(at);
                default -> {
                    int crlf = b.indexOf("\r\n", at);
                    if (crlf >= 0) {
                        b.replace(crlf, crlf + 2, random.nextBoolean() ? "\n" : "\r");
                    }
                }
            }
        }
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Checks the property for one input; returns how many requests would have been forwarded whole. */
    private static int check(byte[] input, Random random) {
        List<Forwarded> forwarded;
        try {
            forwarded = parse(input, random);
        } catch (RuntimeException e) {
            throw new AssertionError("exception for input " + quote(input), e);
        }
        for (Forwarded f : forwarded) {
            byte[] upstream = f.serialize();
            for (boolean strict : new boolean[] {false, true}) {
                List<Forwarded> again = reparse(upstream, strict);
                assertThat(again).as("%s parser, forwarded %s from input %s", strict ? "strict" : "lenient",
                        quote(upstream), quote(input)).hasSize(1);
                Forwarded g = again.get(0);
                assertThat(g.method()).isEqualTo(f.method());
                assertThat(g.uri()).isEqualTo(f.uri());
                assertThat(g.body()).isEqualTo(f.body());
            }
        }
        return forwarded.size();
    }

    /** Runs the input through the frontend's codec and validator, in random pieces, as the proxy reads it. */
    private static List<Forwarded> parse(byte[] input, Random random) {
        return parse(input, random, 8);
    }

    /** @param pipelineDepth requests read ahead of their answers; the probe answers none, so more are refused */
    private static List<Forwarded> parse(byte[] input, Random random, int pipelineDepth) {
        RequestProbe probe = new RequestProbe(true);
        EmbeddedChannel ch = new EmbeddedChannel(new FrontendCodec(DECODER, pipelineDepth), probe);
        int at = 0;
        while (at < input.length && ch.isActive()) {
            int n = Math.min(input.length - at, 1 + random.nextInt(64));
            ch.writeInbound(Unpooled.wrappedBuffer(input, at, n));
            at += n;
        }
        assertThat(ch.finishAndReleaseAll()).as("nothing left unread").isFalse();
        if (probe.error != null) {
            throw new AssertionError("exception reached the frontend for input " + quote(input), probe.error);
        }
        return probe.forwarded;
    }

    /** What an origin makes of the bytes Bascule sends it. */
    private static List<Forwarded> reparse(byte[] upstream, boolean strict) {
        RequestProbe probe = new RequestProbe(strict);
        EmbeddedChannel ch = strict
                ? new EmbeddedChannel(new FrontendCodec(DECODER), probe)
                : new EmbeddedChannel(new HttpRequestDecoder(new HttpDecoderConfig().setStrictLineParsing(false)), probe);
        ch.writeInbound(Unpooled.wrappedBuffer(upstream));
        ch.finishAndReleaseAll();
        if (probe.error != null) {
            throw new AssertionError("exception re-reading " + quote(upstream), probe.error);
        }
        assertThat(probe.failed).as("origin parser refused %s", quote(upstream)).isFalse();
        return probe.forwarded;
    }
}
