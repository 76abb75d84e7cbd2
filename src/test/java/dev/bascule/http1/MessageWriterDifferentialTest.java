package dev.bascule.http1;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.testing.LeakGuard;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Http1MessageWriter} against Netty's encoders ({@link WriterDifferential}): random message sequences,
 * responses and requests re-written after Bascule's own decoders read them from the decoder corpora, file regions,
 * and the promise of a message written in several pieces.
 */
@ExtendWith(LeakGuard.class)
class MessageWriterDifferentialTest {
    private static final Path REQUEST_CORPUS =
            Path.of("src/fuzz/resources/dev/bascule/http1/RequestDecoderDifferentialFuzzTargetInputs/parse");

    @Test
    void randomResponsesAreWrittenAsNettyWritesThem() {
        assertThat(differences(true, 3000)).isEmpty();
    }

    @Test
    void randomRequestsAreWrittenAsNettyWritesThem() {
        assertThat(differences(false, 2000)).isEmpty();
    }

    private static List<String> differences(boolean responses, int runs) {
        List<String> found = new ArrayList<>();
        for (long seed = 0; seed < runs && found.size() < 5; seed++) {
            long s = seed;
            String d = WriterDifferential.compare(responses, () -> WriterMessages.make(s, responses));
            if (d != null) {
                found.add("seed " + seed + ": " + d);
            }
        }
        return found;
    }

    @Test
    void responsesReadFromTheDecoderCorpusAreWrittenBackAsNettyWritesThem() {
        int compared = 0;
        for (String response : ResponseDecoderDifferentialTest.CORPUS) {
            for (boolean head : new boolean[] {false, true}) {
                byte[] input = response.getBytes(StandardCharsets.ISO_8859_1);
                List<Object> probe = decodedResponses(input, head);
                probe.forEach(ReferenceCountUtil::release);
                if (probe.isEmpty()) {
                    continue;
                }
                compared++;
                String d = WriterDifferential.compare(true, () -> {
                    List<Object> msgs = decodedResponses(input, head);
                    boolean[] heads = new boolean[msgs.size()];
                    java.util.Arrays.fill(heads, head);
                    return new WriterDifferential.Messages(msgs, heads, true);
                });
                assertThat(d).as(response).isNull();
            }
        }
        assertThat(compared).isGreaterThan(20);
    }

    @Test
    void requestsReadFromTheDecoderCorpusAreWrittenBackAsNettyWritesThem() throws IOException {
        List<byte[]> inputs = new ArrayList<>();
        try (Stream<Path> files = Files.list(REQUEST_CORPUS)) {
            for (Path f : files.sorted().toList()) {
                inputs.add(Files.readAllBytes(f));
            }
        }
        int compared = 0;
        for (byte[] input : inputs) {
            List<Object> probe = decodedRequests(input);
            probe.forEach(ReferenceCountUtil::release);
            if (probe.isEmpty()) {
                continue;
            }
            compared++;
            String d = WriterDifferential.compare(false,
                    () -> new WriterDifferential.Messages(decodedRequests(input), new boolean[0], true));
            assertThat(d).as(new String(input, StandardCharsets.ISO_8859_1)).isNull();
        }
        assertThat(compared).isGreaterThan(10);
    }

    /** The messages the origin codec reads from {@code input}, up to the first it refuses. */
    private static List<Object> decodedResponses(byte[] input, boolean afterHead) {
        EmbeddedChannel ch = new EmbeddedChannel(new OriginCodec(ResponseDifferential.ORIGIN));
        for (int i = 0; i < 4; i++) {
            ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1,
                    afterHead ? HttpMethod.HEAD : HttpMethod.GET, "/"));
        }
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ReferenceCountUtil.release(o);
        }
        ch.writeInbound(Unpooled.wrappedBuffer(input));
        return goodMessages(ch);
    }

    /** The messages the request decoder reads from {@code input}, up to the first it refuses. */
    private static List<Object> decodedRequests(byte[] input) {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoding(RequestDecoderDifferential.FRONTEND));
        ch.writeInbound(Unpooled.wrappedBuffer(input));
        return goodMessages(ch);
    }

    private static List<Object> goodMessages(EmbeddedChannel ch) {
        List<Object> msgs = new ArrayList<>();
        boolean failed = false;
        for (Object o; (o = ch.readInbound()) != null; ) {
            failed |= !(o instanceof HttpObject h) || h.decoderResult().isFailure();
            if (failed) {
                ReferenceCountUtil.release(o);
            } else {
                msgs.add(o);
            }
        }
        ch.finishAndReleaseAll();
        return msgs;
    }

    @Test
    void fileRegionsAreWrittenAsNettyWritesThem(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("body");
        Files.write(file, "0123456789".repeat(300).getBytes(StandardCharsets.US_ASCII));
        for (String framing : new String[] {"chunked", null}) {
            String d = WriterDifferential.compare(true, () -> {
                DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                if (framing != null) {
                    head.headers().set("Transfer-Encoding", framing);
                } else {
                    head.headers().set("Content-Length", 3000 + 5);
                }
                List<Object> msgs = new ArrayList<>(List.of(head, new DefaultFileRegion(file.toFile(), 0, 3000),
                        new DefaultFileRegion(file.toFile(), 0, 0), LastHttpContent.EMPTY_LAST_CONTENT));
                msgs.add(2, Unpooled.copiedBuffer("tail!", StandardCharsets.US_ASCII));
                return new WriterDifferential.Messages(msgs, new boolean[] {false}, false);
            });
            assertThat(d).as(String.valueOf(framing)).isNull();
        }
    }

    @Test
    void aMessageWrittenInPiecesCompletesItsPromiseOnceAllAreWritten() {
        Http1MessageWriter writer = Http1MessageWriter.responses(Http1MessageWriter::emptyByStatus);
        EmbeddedChannel ch = new EmbeddedChannel(new WriterDifferential.WriterHandler(writer));
        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set("Transfer-Encoding", "chunked");
        ch.writeOutbound(head);
        ByteBuf big = Unpooled.buffer(5000).writeZero(5000);
        ChannelFuture written = ch.writeAndFlush(new DefaultHttpContent(big));
        assertThat(written.isSuccess()).isTrue();
        int pieces = 0;
        for (Object o; (o = ch.readOutbound()) != null; ) {
            pieces++;
            ReferenceCountUtil.release(o);
        }
        assertThat(pieces).as("head, size line, the body itself (not copied), CRLF").isEqualTo(4);
        assertThat(big.refCnt()).as("the body's buffer was handed on, not copied and kept").isZero();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
