package dev.bascule.proxy;

import dev.bascule.http1.Http1Headers;
import dev.bascule.http1.RequestDecoding;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A request head's whole way through the proxy: its bytes decoded, rewritten for the origin by {@link
 * HeaderRules#toUpstream}, and encoded again, with Netty's HTTP/1 decoder and header map ({@code netty}) or with
 * Bascule's own decoder and {@link Http1Headers} ({@code bascule}). Netty's encoder writes Netty's headers; Bascule's
 * are written as the received field lines plus the ones added.
 *
 * <p>Two heads: {@code small}, what wrk sends in the benchmark's scenario a, and {@code browser}, a browser's
 * navigation request with 13 fields. Under {@code -prof gc}, {@code gc.alloc.rate.norm} is the bytes a head costs.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class RequestHeadPathBench {
    private static final String SMALL = "GET /small HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";
    /** The browser request of {@link HeaderRewriteBench}, as bytes on the wire. */
    private static final String BROWSER = String.join("\r\n", HeaderRewriteBench.BROWSER_REQUEST) + "\r\n\r\n";
    private static final String VIA = new Via("bascule").element(1, 1);

    /** The listener's decoder settings ({@link FrontendInitializer#decoderConfig}). */
    private static final HttpDecoderConfig DECODER = new HttpDecoderConfig()
            .setMaxInitialLineLength(8192 + 32)
            .setMaxHeaderSize(8192)
            .setMaxChunkSize(65536)
            .setValidateHeaders(true)
            .setStrictLineParsing(true)
            .setUseRfc9112TransferEncoding(true)
            .setAllowDuplicateContentLengths(false);

    @Param({"netty", "bascule"})
    public String codec;

    @Param({"small", "browser"})
    public String head;

    private EmbeddedChannel decoder;
    private ByteBuf input;
    private ByteBuf output;
    private final HeadEncoder encoder = new HeadEncoder();

    @Setup
    public void setUp() {
        decoder = new EmbeddedChannel(codec.equals("netty") ? new HttpRequestDecoder(DECODER)
                : new RequestDecoding(DECODER));
        input = Unpooled.directBuffer().writeBytes((head.equals("small") ? SMALL : BROWSER)
                .getBytes(StandardCharsets.US_ASCII));
        output = Unpooled.directBuffer(4096);
    }

    @TearDown
    public void tearDown() {
        decoder.finishAndReleaseAll();
        input.release();
        output.release();
    }

    @Benchmark
    public int decodeRewriteEncode() throws Exception {
        decoder.writeInbound(input.retainedDuplicate());
        HttpRequest request = decoder.readInbound();
        ReferenceCountUtil.release(decoder.readInbound()); // the empty last content of a bodyless request
        HeaderRules.toUpstream(request, request.uri(), "198.51.100.23", false, "http", VIA);
        output.clear();
        encoder.write(request, output);
        return output.writerIndex();
    }

    /** The origin-side request encoder's head writing, called directly rather than through a pipeline. */
    private static final class HeadEncoder extends HttpRequestEncoder {
        void write(HttpRequest request, ByteBuf out) throws Exception {
            encodeInitialLine(out, request);
            encodeHeaders(request.headers(), out);
            out.writeShort(('\r' << 8) | '\n');
        }

        /** As the encoders of both legs do: Bascule's headers as their bytes, Netty's as Netty writes them. */
        @Override
        protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
            if (headers instanceof Http1Headers h) {
                h.encode(buf);
            } else {
                super.encodeHeaders(headers, buf);
            }
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise promise) {
            throw new UnsupportedOperationException("used only through write(request, out)");
        }
    }
}
