package dev.bascule.origin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import org.junit.jupiter.api.Test;

/**
 * Netty's HPACK encoder with {@link UniqueFieldValues}: a request ID or traceparent goes as a never-indexed literal
 * (RFC 7541 6.2.3, first byte {@code 0001xxxx}) and takes no place in the dynamic table, while other fields are
 * still indexed; and a peer's decoder reads them all back.
 */
class UniqueFieldValuesTest {
    @Test
    void perMessageIdsAreNeverIndexedAndOtherFieldsStillAre() throws Exception {
        DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder(UniqueFieldValues.INSTANCE);
        DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(true);

        byte[] id = encode(encoder, new DefaultHttp2Headers().add("x-request-id", "0af7651916cd43dd8448eb211c80319c"));
        assertThat(id[0] & 0xf0).as("a never-indexed literal with a literal name").isEqualTo(0x10);
        byte[] parent = encode(encoder, new DefaultHttp2Headers()
                .add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
        assertThat(parent[0] & 0xf0).isEqualTo(0x10);
        byte[] server = encode(encoder, new DefaultHttp2Headers().add("x-served-by", "b1"));
        assertThat(server[0] & 0xc0).as("other fields: a literal with incremental indexing").isEqualTo(0x40);
        byte[] again = encode(encoder, new DefaultHttp2Headers().add("x-served-by", "b1"));
        assertThat(again).as("and the next message refers to it by index: one byte").hasSize(1);

        Http2Headers read = decode(decoder, id);
        assertThat(read.get("x-request-id")).hasToString("0af7651916cd43dd8448eb211c80319c");
    }

    @Test
    void withoutItAnIdWouldBeIndexedEveryTime() throws Exception {
        DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.NEVER_SENSITIVE);
        byte[] id = encode(encoder, new DefaultHttp2Headers().add("x-request-id", "0af7651916cd43dd8448eb211c80319c"));
        assertThat(id[0] & 0xc0).as("Netty's default: inserted into the table").isEqualTo(0x40);
    }

    private static byte[] encode(DefaultHttp2HeadersEncoder encoder, Http2Headers headers) throws Exception {
        ByteBuf out = Unpooled.buffer();
        try {
            encoder.encodeHeaders(1, headers, out);
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            return bytes;
        } finally {
            out.release();
        }
    }

    private static Http2Headers decode(DefaultHttp2HeadersDecoder decoder, byte[] block) throws Exception {
        ByteBuf in = Unpooled.wrappedBuffer(block);
        try {
            return decoder.decodeHeaders(1, in);
        } finally {
            in.release();
        }
    }
}
