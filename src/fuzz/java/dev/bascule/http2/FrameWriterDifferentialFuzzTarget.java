package dev.bascule.http2;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bascule.testing.LeakGuard;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Coverage-guided fuzzing of Bascule's HTTP/2 frame writer against Netty's ({@link WriterPair}): an input is a
 * run of up to 64 writer calls, every frame type with stream ids, payloads, padding, priorities and header lists
 * taken from the input, between changes of the peer's frame size, header table size and header list limit, and
 * flushes. Both writers must put the same bytes on the wire, and release every buffer.
 */
@ExtendWith(LeakGuard.class)
class FrameWriterDifferentialFuzzTarget {
    private static final String[] NAMES = {":status", ":path", "content-type", "cookie", "x-request-id", "set-cookie",
        "content-length", "server", "date", "cache-control", "x-a"};

    @FuzzTest(maxDuration = "30s")
    void frames(FuzzedDataProvider in) {
        try (WriterPair pair = new WriterPair((name, value) -> "cookie".contentEquals(name))) {
            for (int calls = 0; calls < 64 && in.remainingBytes() > 0; calls++) {
                call(pair, in);
            }
            String difference = pair.difference();
            if (difference != null) {
                throw new AssertionError(difference);
            }
        }
    }

    private static void call(WriterPair pair, FuzzedDataProvider in) {
        int stream = in.consumeBoolean() ? 2 * in.consumeInt(0, 20) + 1 : in.consumeInt(-1, Integer.MAX_VALUE);
        // Padding stays valid: Netty's writer checks a HEADERS frame's padding only when it carries a priority, and
        // writes a broken frame for 257 (Bascule's refuses it; FrameWriterTest checks that).
        int padding = in.consumeBoolean() ? 0 : in.consumeInt(0, 256);
        boolean end = in.consumeBoolean();
        switch (in.consumeInt(0, 14)) {
            case 0, 1, 2 -> {
                byte[] data = in.consumeBytes(in.consumeBoolean() ? in.consumeInt(0, 300) : in.consumeInt(0, 70_000));
                pair.both((w, ctx) -> w.writeData(ctx, stream, Unpooled.wrappedBuffer(data), padding, end,
                        ctx.newPromise()));
            }
            case 3, 4 -> {
                Http2Headers headers = headers(in);
                pair.both((w, ctx) -> w.writeHeaders(ctx, stream, headers, padding, end, ctx.newPromise()));
            }
            case 5 -> {
                Http2Headers headers = headers(in);
                int dependency = in.consumeInt(0, Integer.MAX_VALUE);
                short weight = (short) in.consumeInt(0, 257);
                boolean exclusive = in.consumeBoolean();
                pair.both((w, ctx) -> w.writeHeaders(ctx, stream, headers, dependency, weight, exclusive, padding,
                        end, ctx.newPromise()));
            }
            case 6 -> {
                Http2Headers headers = headers(in);
                int promised = in.consumeInt(-1, 100);
                pair.both((w, ctx) -> w.writePushPromise(ctx, stream, promised, headers, padding, ctx.newPromise()));
            }
            case 7 -> {
                long code = in.consumeBoolean() ? in.consumeInt(0, 13) : in.consumeLong();
                pair.both((w, ctx) -> w.writeRstStream(ctx, stream, code, ctx.newPromise()));
            }
            case 8 -> {
                long data = in.consumeLong();
                pair.both((w, ctx) -> w.writePing(ctx, end, data, ctx.newPromise()));
            }
            case 9 -> {
                int increment = in.consumeInt(-1, Integer.MAX_VALUE);
                pair.both((w, ctx) -> w.writeWindowUpdate(ctx, Math.max(stream, -1) % 3, increment,
                        ctx.newPromise()));
            }
            case 10 -> {
                long code = in.consumeInt(0, 13);
                byte[] debug = in.consumeBytes(in.consumeInt(0, 20_000));
                pair.both((w, ctx) -> w.writeGoAway(ctx, stream, code, Unpooled.wrappedBuffer(debug),
                        ctx.newPromise()));
            }
            case 11 -> {
                byte type = in.consumeByte();
                short flags = (short) in.consumeInt(0, 255);
                byte[] payload = in.consumeBytes(in.consumeInt(0, 20_000));
                pair.both((w, ctx) -> w.writeFrame(ctx, type, Math.abs(stream % 10), new Http2Flags(flags),
                        Unpooled.wrappedBuffer(payload), ctx.newPromise()));
            }
            case 12 -> {
                Http2Settings settings = new Http2Settings().maxConcurrentStreams(in.consumeInt(0, 1000))
                        .initialWindowSize(in.consumeInt(0, 1 << 30));
                pair.both((w, ctx) -> {
                    w.writeSettings(ctx, settings, ctx.newPromise());
                    w.writeSettingsAck(ctx, ctx.newPromise());
                });
            }
            case 13 -> {
                int frameSize = in.consumeBoolean() ? 16_384 + in.consumeInt(0, 60_000) : in.consumeInt();
                long tableSize = in.consumeInt(0, 8192);
                long listSize = in.consumeBoolean() ? 1L << 20 : in.consumeInt(0, 4096);
                pair.both((w, ctx) -> {
                    try {
                        w.configuration().frameSizePolicy().maxFrameSize(frameSize);
                    } catch (Http2Exception refused) {
                        // an invalid size; both refuse it and keep theirs
                    }
                    try {
                        w.configuration().headersConfiguration().maxHeaderTableSize(tableSize);
                        w.configuration().headersConfiguration().maxHeaderListSize(listSize);
                    } catch (Http2Exception refused) {
                        // both keep what they had
                    }
                });
            }
            default -> pair.flush();
        }
    }

    private static Http2Headers headers(FuzzedDataProvider in) {
        Http2Headers headers = new DefaultHttp2Headers(false);
        int fields = in.consumeInt(0, 12);
        for (int i = 0; i < fields; i++) {
            String name = in.consumeBoolean() ? NAMES[in.consumeInt(0, NAMES.length - 1)]
                    : in.consumeAsciiString(12).toLowerCase();
            String value = in.consumeBoolean() ? in.consumeAsciiString(40) : "v".repeat(in.consumeInt(0, 40_000));
            if (!name.isEmpty()) {
                headers.add(name, value);
            }
        }
        return headers;
    }
}
