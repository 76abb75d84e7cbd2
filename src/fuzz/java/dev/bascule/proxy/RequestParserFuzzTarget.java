package dev.bascule.proxy;

import static dev.bascule.proxy.RequestProbe.quote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bascule.proxy.RequestProbe.Forwarded;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Coverage-guided fuzzing of the client-side request parsing: the bytes go through the frontend's {@link
 * FrontendCodec} (with the decoder config the frontend uses) and every decoded head through {@link
 * RequestValidator}, as {@code FrontendHandler} applies them. The harness follows {@code RequestFuzzGuardTest},
 * whose seeded mutations this complements. For every input:
 *
 * <ul>
 *   <li>no exception escapes the pipeline: malformed input may only surface as a failed {@code decoderResult};
 *   <li>every buffer the pipeline allocates and every message it hands on is released;
 *   <li>the input read whole and read in pieces yields the same forwarded requests;
 *   <li>every request the validator accepts, serialized as Bascule sends it upstream, reads back as exactly that
 *       one request (method, target, body) with a lenient and with a strict parser.
 * </ul>
 *
 * Any violation throws, which Jazzer reports as a finding. Seeds and past findings live in
 * {@code src/fuzz/resources/dev/bascule/proxy/RequestParserFuzzTargetInputs/parse/}.
 */
@ExtendWith(LeakGuard.class)
class RequestParserFuzzTarget {
    private static final HttpDecoderConfig DECODER = RequestProbe.DECODER;

    @DictionaryFile(resourcePath = "http.dict")
    @FuzzTest(maxDuration = "30s")
    void parse(byte[] input) {
        List<Forwarded> whole = parseWith(input, null);
        List<Forwarded> pieces = parseWith(input, new Random(Arrays.hashCode(input)));
        if (!sameRequests(whole, pieces)) {
            throw new AssertionError("read whole: " + whole + ", read in pieces: " + pieces + ", input " + quote(input));
        }
        for (Forwarded f : whole) {
            byte[] upstream = f.serialize();
            for (boolean strict : new boolean[] {false, true}) {
                List<Forwarded> again = reparse(upstream, strict);
                if (again.size() != 1 || !again.get(0).sameRequest(f)) {
                    throw new AssertionError((strict ? "strict" : "lenient") + " parser read " + again
                            + " from forwarded " + quote(upstream) + " (input " + quote(input) + ")");
                }
            }
        }
    }

    /** The harness itself: valid pipelined requests are forwarded, so the properties above are not vacuous. */
    @Test
    void harnessForwardsValidRequests() {
        byte[] input = ("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                + "GET http://a/3 HTTP/1.1\r\nHost: a\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        assertThat(parseWith(input, new Random(1))).extracting(Forwarded::uri).containsExactly("/1", "/2", "/3");
        parse(input);
    }

    /** The harness itself: a buffer still referenced when the channel is done is reported. */
    @Test
    void trackingAllocatorReportsAnUnreleasedBuffer() {
        TrackingAllocator alloc = new TrackingAllocator();
        alloc.heapBuffer(8).release();
        alloc.assertAllReleased(new byte[0]);
        ByteBuf kept = alloc.directBuffer(8);
        assertThatThrownBy(() -> alloc.assertAllReleased(new byte[0])).isInstanceOf(AssertionError.class);
        kept.release();
    }

    /**
     * Runs the input through the frontend's codec and validator, whole ({@code random} null) or in random pieces
     * of 1 to 64 bytes, and checks that nothing escapes and nothing leaks.
     */
    private static List<Forwarded> parseWith(byte[] input, Random random) {
        TrackingAllocator alloc = new TrackingAllocator();
        RequestProbe probe = new RequestProbe(true);
        EmbeddedChannel ch = channel(alloc, new FrontendCodec(DECODER), probe);
        try {
            int at = 0;
            while (at < input.length && ch.isActive()) {
                int n = random == null ? input.length : Math.min(input.length - at, 1 + random.nextInt(64));
                ByteBuf piece = alloc.heapBuffer(n).writeBytes(input, at, n);
                ch.writeInbound(piece);
                at += n;
            }
            if (ch.finishAndReleaseAll()) {
                throw new AssertionError("messages left unread in the channel for input " + quote(input));
            }
        } catch (RuntimeException e) {
            throw new AssertionError("exception escaped the pipeline for input " + quote(input), e);
        }
        if (probe.error != null) {
            throw new AssertionError("exception reached the frontend for input " + quote(input), probe.error);
        }
        alloc.assertAllReleased(input);
        return probe.forwarded;
    }

    /** What an origin makes of the bytes Bascule sends it. */
    private static List<Forwarded> reparse(byte[] upstream, boolean strict) {
        TrackingAllocator alloc = new TrackingAllocator();
        RequestProbe probe = new RequestProbe(false);
        ChannelHandler decoder = strict
                ? new FrontendCodec(DECODER)
                : new HttpRequestDecoder(new HttpDecoderConfig().setStrictLineParsing(false));
        EmbeddedChannel ch = channel(alloc, decoder, probe);
        ch.writeInbound(alloc.heapBuffer(upstream.length).writeBytes(upstream));
        ch.finishAndReleaseAll();
        if (probe.error != null) {
            throw new AssertionError("exception re-reading " + quote(upstream), probe.error);
        }
        if (probe.failed) {
            throw new AssertionError((strict ? "strict" : "lenient") + " origin parser refused " + quote(upstream));
        }
        alloc.assertAllReleased(upstream);
        return probe.forwarded;
    }

    private static EmbeddedChannel channel(TrackingAllocator alloc, ChannelHandler... handlers) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast(handlers);
        return ch;
    }

    private static boolean sameRequests(List<Forwarded> a, List<Forwarded> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).sameRequest(b.get(i))) {
                return false;
            }
        }
        return true;
    }
}
