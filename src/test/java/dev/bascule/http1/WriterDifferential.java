package dev.bascule.http1;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;

/**
 * Writes the same outbound messages with {@link Http1MessageWriter} and with Netty's encoders, and compares the
 * bytes on the wire and the failures. The reference is what the codecs ran before the writer: Netty's {@code
 * HttpResponseEncoder} or {@code HttpRequestEncoder} writing fields through {@link Http1Headers#encode}, and for
 * the response side a HEAD rule like the frontend's. For heads whose fields are plain {@code DefaultHttpHeaders},
 * Netty's encoder as it comes (its own field writing) must agree too.
 *
 * <p>The one allowance: for a head that Bascule read ({@link Http1Headers}), Netty's own field writing gives the
 * names and values as its iterator shows them (trimmed, one space after the colon) while the writer keeps the
 * received bytes; that is the point of {@link Http1Headers}, so only the reference with its field writing counts.
 */
final class WriterDifferential {
    private WriterDifferential() {
    }

    /**
     * One run's messages.
     *
     * @param answersHead per final response head, in order: whether it answers a HEAD request (no body)
     */
    record Messages(List<Object> messages, boolean[] answersHead, boolean ownFields) {
    }

    /** What one writer made of the messages: the bytes on the wire, and the failure that stopped it if any. */
    record Wire(byte[] bytes, String failure, long counted) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Wire w && Arrays.equals(bytes, w.bytes) && java.util.Objects.equals(failure, w.failure);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return (failure == null ? "" : "failed " + failure + " after ")
                    + new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * Compares the writer with the references over fresh copies of the same messages.
     *
     * @return null when they agree, else a description of the difference
     */
    static String compare(boolean responses, Supplier<Messages> make) {
        Messages forWriter = make.get();
        Deque<Boolean> heads = queue(forWriter.answersHead);
        Http1MessageWriter writer = responses
                ? Http1MessageWriter.responses(r -> informational(r) ? Http1MessageWriter.emptyByStatus(r)
                        : Boolean.TRUE.equals(heads.poll()) | Http1MessageWriter.emptyByStatus(r))
                : Http1MessageWriter.requests();
        WriterHandler handler = new WriterHandler(writer);
        Wire bascule = run(handler, forWriter.messages);
        if (bascule.failure == null && handler.counted != bascule.bytes.length) {
            return "counted " + handler.counted + " bytes, wrote " + bascule.bytes.length;
        }
        Messages forNetty = make.get();
        Wire reference = run(reference(responses, true, forNetty.answersHead), forNetty.messages);
        if (!bascule.equals(reference)) {
            return "writer: " + bascule + "\nreference: " + reference;
        }
        Messages forPlain = make.get();
        if (!forPlain.ownFields) {
            Wire plain = run(reference(responses, false, forPlain.answersHead), forPlain.messages);
            if (!bascule.equals(plain)) {
                return "writer: " + bascule + "\nNetty as it comes: " + plain;
            }
        } else {
            forPlain.messages.forEach(ReferenceCountUtil::release);
        }
        return null;
    }

    private static boolean informational(HttpResponse r) {
        return r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }

    private static Deque<Boolean> queue(boolean[] answersHead) {
        Deque<Boolean> q = new ArrayDeque<>();
        for (boolean b : answersHead) {
            q.add(b);
        }
        return q;
    }

    private static ChannelHandler reference(boolean responses, boolean ownFieldWriting, boolean[] answersHead) {
        if (!responses) {
            return ownFieldWriting ? new HttpRequestEncoder() {
                @Override
                protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
                    FieldText.writeFields(headers, buf);
                }
            } : new HttpRequestEncoder();
        }
        Deque<Boolean> heads = queue(answersHead);
        return new HttpResponseEncoder() {
            @Override
            protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
                if (ownFieldWriting) {
                    FieldText.writeFields(headers, buf);
                } else {
                    super.encodeHeaders(headers, buf);
                }
            }

            @Override
            protected boolean isContentAlwaysEmpty(HttpResponse msg) {
                if (informational(msg)) {
                    return super.isContentAlwaysEmpty(msg);
                }
                return Boolean.TRUE.equals(heads.poll()) | super.isContentAlwaysEmpty(msg);
            }
        };
    }

    /** Writes the messages one by one until one fails (the rest are released), and reads what reached the wire. */
    static Wire run(ChannelHandler encoder, List<Object> messages) {
        EmbeddedChannel ch = new EmbeddedChannel(encoder);
        String failure = null;
        int i = 0;
        for (; i < messages.size() && failure == null; i++) {
            try {
                ch.writeOutbound(messages.get(i));
            } catch (RuntimeException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                failure = e.getClass().getSimpleName() + ": " + cause.getClass().getSimpleName() + ": "
                        + cause.getMessage();
            }
        }
        for (; i < messages.size(); i++) {
            ReferenceCountUtil.release(messages.get(i));
        }
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            try {
                if (o instanceof ByteBuf b) {
                    byte[] bytes = new byte[b.readableBytes()];
                    b.getBytes(b.readerIndex(), bytes);
                    wire.writeBytes(bytes);
                } else {
                    FileRegion r = (FileRegion) o;
                    WritableByteChannel out = Channels.newChannel(wire);
                    for (long at = 0; at < r.count(); ) {
                        at += r.transferTo(out, at);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                ReferenceCountUtil.release(o);
            }
        }
        if (ch.finishAndReleaseAll()) {
            throw new AssertionError("messages left in the channel");
        }
        return new Wire(wire.toByteArray(), failure, encoder instanceof WriterHandler w ? w.counted : -1);
    }

    /** The writer as a codec holds it: accepted messages go to it, anything else passes. */
    static final class WriterHandler extends ChannelOutboundHandlerAdapter {
        private final Http1MessageWriter writer;
        long counted;

        WriterHandler(Http1MessageWriter writer) {
            this.writer = writer;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (writer.accepts(msg)) {
                counted += writer.write(ctx, msg, promise);
            } else {
                ctx.write(msg, promise);
            }
        }
    }
}
