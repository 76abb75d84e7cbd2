package dev.bascule.http2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameSizePolicy;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2FrameWriter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.collection.CharObjectMap;

/**
 * Encodes HTTP/2 frames (RFC 9113 4 and 6) straight into the connection's {@link FrameOutput}, in place of Netty's
 * frame writer, which allocates a buffer for each frame header, writes header and payload as separate messages
 * through the pipeline and aggregates their promises. Here a frame is a few bytes appended to one buffer, and its
 * promise completes with the flush that carries it.
 *
 * <p>HPACK is Netty's ({@link DefaultHttp2HeadersEncoder}), encoded in place after the frame header; a header block
 * larger than the peer's frame size is split into HEADERS (or PUSH_PROMISE) and CONTINUATION frames. DATA larger
 * than the frame size is split into frames of that size. Padding is written as asked, a pad length byte and zeros.
 *
 * <p>Threading: confined to the connection's event loop, as Netty's connection encoder that calls it.
 */
public final class FrameWriter implements Http2FrameWriter, Http2FrameWriter.Configuration, Http2FrameSizePolicy {
    private static final int HEADER = Http2CodecUtil.FRAME_HEADER_LENGTH;
    private static final int END_STREAM = 0x1;
    private static final int ACK = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int PADDED = 0x8;
    private static final int PRIORITY = 0x20;
    /** No stream dependency or promised stream in a header block's frame. */
    private static final long NONE = -1;

    private final FrameOutput output;
    private final DefaultHttp2HeadersEncoder headersEncoder;
    private int maxFrameSize = Http2CodecUtil.DEFAULT_MAX_FRAME_SIZE;

    public FrameWriter(FrameOutput output, Http2HeadersEncoder.SensitivityDetector sensitivity) {
        this.output = output;
        this.headersEncoder = new DefaultHttp2HeadersEncoder(sensitivity);
    }

    @Override
    public ChannelFuture writeData(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
            boolean endStream, ChannelPromise promise) {
        try {
            streamOnly(streamId);
            padding(padding);
            int remaining = data.readableBytes();
            do {
                int dataBytes = Math.min(remaining, maxFrameSize);
                int paddingBytes = Math.min(padding, Math.max(0, maxFrameSize - 1 - dataBytes));
                padding -= paddingBytes;
                remaining -= dataBytes;
                int flags = (endStream && remaining == 0 && padding == 0 ? END_STREAM : 0)
                        | (paddingBytes > 0 ? PADDED : 0);
                ByteBuf out = output.buffer(HEADER + 1);
                header(out, dataBytes + paddingBytes, Http2FrameTypes.DATA, flags, streamId);
                if (paddingBytes > 0) {
                    out.writeByte(paddingBytes - 1);
                }
                output.payload(data, dataBytes);
                if (paddingBytes > 1) {
                    output.buffer(paddingBytes - 1).writeZero(paddingBytes - 1);
                }
            } while (remaining != 0 || padding != 0);
        } catch (IllegalArgumentException e) {
            return promise.setFailure(e);
        } finally {
            data.release();
        }
        return output.framed(promise);
    }

    @Override
    public ChannelFuture writeHeaders(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
            boolean endStream, ChannelPromise promise) {
        return headerBlock(ctx, Http2FrameTypes.HEADERS, streamId, headers, padding, endStream ? END_STREAM : 0,
                NONE, -1, promise);
    }

    @Override
    public ChannelFuture writeHeaders(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
            int streamDependency, short weight, boolean exclusive, int padding, boolean endStream,
            ChannelPromise promise) {
        try {
            streamOrConnection(streamDependency);
            weight(weight);
        } catch (IllegalArgumentException e) {
            return promise.setFailure(e);
        }
        return headerBlock(ctx, Http2FrameTypes.HEADERS, streamId, headers, padding,
                PRIORITY | (endStream ? END_STREAM : 0), dependency(streamDependency, exclusive) & 0xFFFFFFFFL, weight - 1,
                promise);
    }

    @Override
    public ChannelFuture writePushPromise(ChannelHandlerContext ctx, int streamId, int promisedStreamId,
            Http2Headers headers, int padding, ChannelPromise promise) {
        try {
            streamOnly(promisedStreamId);
        } catch (IllegalArgumentException e) {
            return promise.setFailure(e);
        }
        return headerBlock(ctx, Http2FrameTypes.PUSH_PROMISE, streamId, headers, padding, 0, promisedStreamId, -1,
                promise);
    }

    @Override
    public ChannelFuture writePriority(ChannelHandlerContext ctx, int streamId, int streamDependency, short weight,
            boolean exclusive, ChannelPromise promise) {
        try {
            streamOnly(streamId);
            streamOrConnection(streamDependency);
            weight(weight);
        } catch (IllegalArgumentException e) {
            return promise.setFailure(e);
        }
        ByteBuf out = output.buffer(HEADER + 5);
        header(out, 5, Http2FrameTypes.PRIORITY, 0, streamId);
        out.writeInt(dependency(streamDependency, exclusive));
        out.writeByte(weight - 1);
        return output.framed(promise);
    }

    @Override
    public ChannelFuture writeRstStream(ChannelHandlerContext ctx, int streamId, long errorCode,
            ChannelPromise promise) {
        try {
            streamOnly(streamId);
            errorCode(errorCode);
        } catch (IllegalArgumentException e) {
            return promise.setFailure(e);
        }
        ByteBuf out = output.buffer(HEADER + 4);
        header(out, 4, Http2FrameTypes.RST_STREAM, 0, streamId);
        out.writeInt((int) errorCode);
        return output.framed(promise);
    }

    @Override
    public ChannelFuture writeSettings(ChannelHandlerContext ctx, Http2Settings settings, ChannelPromise promise) {
        int length = 6 * settings.size();
        ByteBuf out = output.buffer(HEADER + length);
        header(out, length, Http2FrameTypes.SETTINGS, 0, 0);
        for (CharObjectMap.PrimitiveEntry<Long> entry : settings.entries()) {
            out.writeChar(entry.key());
            out.writeInt(entry.value().intValue());
        }
        return output.framed(promise);
    }

    @Override
    public ChannelFuture writeSettingsAck(ChannelHandlerContext ctx, ChannelPromise promise) {
        header(output.buffer(HEADER), 0, Http2FrameTypes.SETTINGS, ACK, 0);
        return output.framed(promise);
    }

    @Override
    public ChannelFuture writePing(ChannelHandlerContext ctx, boolean ack, long data, ChannelPromise promise) {
        ByteBuf out = output.buffer(HEADER + 8);
        header(out, 8, Http2FrameTypes.PING, ack ? ACK : 0, 0);
        out.writeLong(data);
        return output.framed(promise);
    }

    @Override
    public ChannelFuture writeGoAway(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData,
            ChannelPromise promise) {
        try {
            streamOrConnection(lastStreamId);
            errorCode(errorCode);
            int debugBytes = debugData.readableBytes();
            ByteBuf out = output.buffer(HEADER + 8);
            header(out, 8 + debugBytes, Http2FrameTypes.GO_AWAY, 0, 0);
            out.writeInt(lastStreamId);
            out.writeInt((int) errorCode);
            output.payload(debugData, debugBytes);
        } catch (IllegalArgumentException e) {
            return promise.setFailure(e);
        } finally {
            debugData.release();
        }
        return output.framed(promise);
    }

    @Override
    public ChannelFuture writeWindowUpdate(ChannelHandlerContext ctx, int streamId, int windowSizeIncrement,
            ChannelPromise promise) {
        try {
            streamOrConnection(streamId);
            if (windowSizeIncrement < 0) {
                throw new IllegalArgumentException("window size increment below 0: " + windowSizeIncrement);
            }
        } catch (IllegalArgumentException e) {
            return promise.setFailure(e);
        }
        ByteBuf out = output.buffer(HEADER + 4);
        header(out, 4, Http2FrameTypes.WINDOW_UPDATE, 0, streamId);
        out.writeInt(windowSizeIncrement);
        return output.framed(promise);
    }

    @Override
    public ChannelFuture writeFrame(ChannelHandlerContext ctx, byte frameType, int streamId, Http2Flags flags,
            ByteBuf payload, ChannelPromise promise) {
        try {
            streamOrConnection(streamId);
            int length = payload.readableBytes();
            header(output.buffer(HEADER), length, frameType, flags.value(), streamId);
            output.payload(payload, length);
        } catch (IllegalArgumentException e) {
            return promise.setFailure(e);
        } finally {
            payload.release();
        }
        return output.framed(promise);
    }

    /**
     * A HEADERS or PUSH_PROMISE frame and the CONTINUATION frames its block needs. The block is encoded in place
     * after the frame's own fields; only a block over the frame size is moved, to be cut into frames.
     *
     * @param word the stream dependency (HEADERS with priority) or promised stream (PUSH_PROMISE) as an unsigned
     *     32-bit value; {@link #NONE} for none
     * @param weight the priority weight byte; -1 for none
     */
    private ChannelFuture headerBlock(ChannelHandlerContext ctx, byte type, int streamId, Http2Headers headers,
            int padding, int flags, long word, int weight, ChannelPromise promise) {
        try {
            streamOnly(streamId);
            padding(padding);
        } catch (IllegalArgumentException e) {
            return promise.setFailure(e);
        }
        int fields = (padding > 0 ? 1 : 0) + (word != NONE ? 4 : 0) + (weight >= 0 ? 1 : 0);
        int paddingBytes = padding > 0 ? padding - 1 : 0;
        ByteBuf out = output.buffer(HEADER + fields + 64);
        int start = out.writerIndex();
        out.writerIndex(start + HEADER + fields);
        try {
            headersEncoder.encodeHeaders(streamId, headers, out);
        } catch (Http2Exception e) {
            out.writerIndex(start);
            return promise.setFailure(e);
        } catch (Throwable t) {
            out.writerIndex(start);
            promise.tryFailure(t);
            throw t;
        }
        int blockBytes = out.writerIndex() - start - HEADER - fields;
        int room = maxFrameSize - fields - paddingBytes;
        int firstBytes = Math.min(blockBytes, room);
        ByteBuf rest = null;
        if (blockBytes > room) {
            rest = ctx.alloc().buffer(blockBytes - room);
            rest.writeBytes(out, start + HEADER + fields + room, blockBytes - room);
            out.writerIndex(start + HEADER + fields + room);
        }
        int frameFlags = flags | (rest == null ? END_HEADERS : 0) | (padding > 0 ? PADDED : 0);
        out.setMedium(start, fields + firstBytes + paddingBytes);
        out.setByte(start + 3, type);
        out.setByte(start + 4, frameFlags);
        out.setInt(start + 5, streamId);
        int at = start + HEADER;
        if (padding > 0) {
            out.setByte(at++, paddingBytes);
        }
        if (word != NONE) {
            out.setInt(at, (int) word);
            at += 4;
        }
        if (weight >= 0) {
            out.setByte(at, weight);
        }
        out.writeZero(paddingBytes);
        if (rest != null) {
            try {
                while (rest.isReadable()) {
                    int bytes = Math.min(rest.readableBytes(), maxFrameSize);
                    boolean last = bytes == rest.readableBytes();
                    ByteBuf frame = output.buffer(HEADER + bytes);
                    header(frame, bytes, Http2FrameTypes.CONTINUATION, last ? END_HEADERS : 0, streamId);
                    frame.writeBytes(rest, bytes);
                }
            } finally {
                rest.release();
            }
        }
        return output.framed(promise);
    }

    private static void header(ByteBuf out, int length, byte type, int flags, int streamId) {
        out.writeMedium(length);
        out.writeByte(type);
        out.writeByte(flags);
        out.writeInt(streamId);
    }

    private static int dependency(int streamDependency, boolean exclusive) {
        return exclusive ? (int) (0x80000000L | streamDependency) : streamDependency;
    }

    private static void streamOnly(int streamId) {
        if (streamId <= 0) {
            throw new IllegalArgumentException("stream id must be above 0: " + streamId);
        }
    }

    private static void streamOrConnection(int streamId) {
        if (streamId < 0) {
            throw new IllegalArgumentException("stream id must be 0 or above: " + streamId);
        }
    }

    private static void padding(int padding) {
        if (padding < 0 || padding > Http2CodecUtil.MAX_PADDING) {
            throw new IllegalArgumentException("padding must be 0 to " + Http2CodecUtil.MAX_PADDING + ": " + padding);
        }
    }

    private static void weight(short weight) {
        if (weight < Http2CodecUtil.MIN_WEIGHT || weight > Http2CodecUtil.MAX_WEIGHT) {
            throw new IllegalArgumentException("weight out of range: " + weight);
        }
    }

    private static void errorCode(long errorCode) {
        if (errorCode < 0 || errorCode > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("error code out of range: " + errorCode);
        }
    }

    @Override
    public Configuration configuration() {
        return this;
    }

    @Override
    public Http2HeadersEncoder.Configuration headersConfiguration() {
        return headersEncoder.configuration();
    }

    @Override
    public Http2FrameSizePolicy frameSizePolicy() {
        return this;
    }

    @Override
    public void maxFrameSize(int max) throws Http2Exception {
        if (!Http2CodecUtil.isMaxFrameSizeValid(max)) {
            throw Http2Exception.connectionError(Http2Error.FRAME_SIZE_ERROR, "invalid max frame size: %d", max);
        }
        maxFrameSize = max;
    }

    @Override
    public int maxFrameSize() {
        return maxFrameSize;
    }

    @Override
    public void close() {
        headersEncoder.close(); // a pending table size update is a buffer
    }
}
