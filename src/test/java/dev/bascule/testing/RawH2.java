package dev.bascule.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An HTTP/2 client that writes frames byte for byte on a plain socket (h2c with prior knowledge, RFC 9113 3.4),
 * for tests that send what a well-behaved codec refuses to: floods, resets right after HEADERS, runs of tiny
 * CONTINUATION frames, header blocks over the peer's limit, hand-made HPACK. Header blocks are HPACK-encoded with
 * Netty's encoder (or given raw); what comes back is parsed frame by frame, and the HEADERS of responses are
 * decoded in order so the HPACK dynamic table stays in step with the server's.
 *
 * <p>Not thread-safe: one test thread drives it. Writes are buffered until {@link #flush()}.
 */
public final class RawH2 implements AutoCloseable {
    public static final int DATA = 0x0;
    public static final int HEADERS = 0x1;
    public static final int RST_STREAM = 0x3;
    public static final int SETTINGS = 0x4;
    public static final int PING = 0x6;
    public static final int GOAWAY = 0x7;
    public static final int WINDOW_UPDATE = 0x8;
    public static final int CONTINUATION = 0x9;

    public static final int END_STREAM = 0x1;
    public static final int ACK = 0x1;
    public static final int END_HEADERS = 0x4;

    /** Error codes, RFC 9113 7. */
    public static final long NO_ERROR = 0x0;
    public static final long PROTOCOL_ERROR = 0x1;
    public static final long REFUSED_STREAM = 0x7;
    public static final long CANCEL = 0x8;
    public static final long ENHANCE_YOUR_CALM = 0xb;

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * One frame as read. For HEADERS (with their CONTINUATIONs folded in), {@code headers} is the decoded block;
     * null for other frames.
     */
    public record Frame(int type, int flags, int streamId, byte[] payload, Http2Headers headers) {
        public boolean endStream() {
            return (type == DATA || type == HEADERS) && (flags & END_STREAM) != 0;
        }

        /** The error code of a RST_STREAM or GOAWAY frame. */
        public long errorCode() {
            int at = type == GOAWAY ? 4 : 0;
            return ((payload[at] & 0xffL) << 24) | ((payload[at + 1] & 0xff) << 16) | ((payload[at + 2] & 0xff) << 8)
                    | (payload[at + 3] & 0xff);
        }

        /** The last stream id of a GOAWAY frame. */
        public int lastStreamId() {
            return ((payload[0] & 0x7f) << 24) | ((payload[1] & 0xff) << 16) | ((payload[2] & 0xff) << 8)
                    | (payload[3] & 0xff);
        }

        public int status() {
            return Integer.parseInt(headers.status().toString());
        }

        @Override
        public String toString() {
            return "Frame[type=" + type + ", flags=" + flags + ", stream=" + streamId + ", length=" + payload.length
                    + (headers != null ? ", headers=" + headers : "") + "]";
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
    /** The next block starts by emptying the server's dynamic table (RFC 7541 4.2, 6.3). */
    private boolean resetTable;
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false, Integer.MAX_VALUE);
    private boolean settingsAcked;

    /** Connects, and sends the preface and empty SETTINGS (the defaults). */
    public RawH2(InetSocketAddress server) throws IOException {
        this(server, 0);
    }

    /**
     * @param receiveBuffer the socket's receive buffer in bytes, set before connecting so the TCP window stays that
     *     small (0: the system's default); a small one makes a client that stops reading fill the server's side fast
     */
    public RawH2(InetSocketAddress server, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(server, 2000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 65536));
        out = new BufferedOutputStream(socket.getOutputStream(), 65536);
        out.write(PREFACE);
        frame(SETTINGS, 0, 0, new byte[0]);
        flush();
    }

    // ---- writing ----

    public RawH2 frame(int type, int flags, int streamId, byte[] payload) throws IOException {
        return frame(type, flags, streamId, payload, 0, payload.length);
    }

    public RawH2 frame(int type, int flags, int streamId, byte[] payload, int offset, int length) throws IOException {
        frameHeader(length, type, flags, streamId);
        out.write(payload, offset, length);
        return this;
    }

    /** HPACK-encodes {@code headers} with this connection's encoder (its dynamic table). */
    public byte[] encode(Http2Headers headers) {
        ByteBuf buf = Unpooled.buffer();
        try {
            if (resetTable) {
                resetTable = false;
                buf.writeByte(0x20); // dynamic table size update to 0: every entry evicted
                buf.writeBytes(new byte[] {0x3f, (byte) 0xe1, 0x1f}); // and back to 4096
            }
            encoder.encodeHeaders(0, headers, buf);
            byte[] block = new byte[buf.readableBytes()];
            buf.readBytes(block);
            return block;
        } catch (Http2Exception e) {
            throw new IllegalStateException(e);
        } finally {
            buf.release();
        }
    }

    /**
     * After a hand-made block that changed the server's dynamic table behind the encoder's back: the next encoded
     * block empties that table first, and a fresh encoder starts from the empty table.
     */
    public void resetHpack() {
        encoder = new DefaultHttp2HeadersEncoder();
        resetTable = true;
    }

    /** One HEADERS frame with END_HEADERS, the whole block in it. */
    public RawH2 headers(int streamId, Http2Headers headers, boolean endStream) throws IOException {
        return frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), streamId, encode(headers));
    }

    /** A GET of {@code path} at authority {@code app.test}, ending the stream. */
    public RawH2 get(int streamId, String path) throws IOException {
        return headers(streamId, request("GET", path), true);
    }

    public static Http2Headers request(String method, String path) {
        return new DefaultHttp2Headers().method(method).scheme("http")
                .authority("app.test").path(path);
    }

    public RawH2 data(int streamId, byte[] bytes, boolean endStream) throws IOException {
        return frame(DATA, endStream ? END_STREAM : 0, streamId, bytes);
    }

    public RawH2 rst(int streamId, long errorCode) throws IOException {
        frameHeader(4, RST_STREAM, 0, streamId);
        writeInt((int) errorCode);
        return this;
    }

    public RawH2 ping(long data) throws IOException {
        frameHeader(8, PING, 0, 0);
        writeInt((int) (data >>> 32));
        writeInt((int) data);
        return this;
    }

    public RawH2 flush() throws IOException {
        out.flush();
        return this;
    }

    private void frameHeader(int length, int type, int flags, int streamId) throws IOException {
        out.write(length >>> 16);
        out.write(length >>> 8);
        out.write(length);
        out.write(type);
        out.write(flags);
        writeInt(streamId & 0x7fffffff);
    }

    private void writeInt(int v) throws IOException {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    // ---- reading ----

    /**
     * The next frame from the server, or null at the end of the connection (EOF, or a reset: a server that closes
     * with data of the client's still unread answers with RST). The server's SETTINGS are acknowledged on the way.
     * Times out after 10 s.
     */
    public Frame read() throws IOException {
        Frame f = readRaw();
        if (f != null && f.type() == SETTINGS && (f.flags() & ACK) == 0 && !settingsAcked) {
            settingsAcked = true;
            try {
                frame(SETTINGS, ACK, 0, new byte[0]).flush();
            } catch (SocketException e) {
                // the server may already have closed; what it sent is still to be read
            }
        }
        return f;
    }

    private Frame readRaw() throws IOException {
        int[] head = new int[3];
        byte[] payload;
        try {
            if (!readHeader(head)) {
                return null;
            }
            payload = new byte[head[0] & 0xffffff];
            in.readFully(payload);
        } catch (SocketException e) {
            return null; // connection reset
        }
        int type = head[0] >>> 24;
        int flags = head[1];
        int stream = head[2];
        if (type != HEADERS) {
            return new Frame(type, flags, stream, payload, null);
        }
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.writeBytes(headerBlockOf(flags, payload));
        int lastFlags = flags;
        while ((lastFlags & END_HEADERS) == 0) {
            if (!readHeader(head) || head[0] >>> 24 != CONTINUATION) {
                throw new IOException("HEADERS not followed by CONTINUATION");
            }
            byte[] more = new byte[head[0] & 0xffffff];
            in.readFully(more);
            block.writeBytes(more);
            lastFlags = head[1];
        }
        ByteBuf buf = Unpooled.wrappedBuffer(block.toByteArray());
        try {
            return new Frame(type, flags, stream, payload, decoder.decodeHeaders(stream, buf));
        } catch (Http2Exception e) {
            throw new IOException(e);
        } finally {
            buf.release();
        }
    }

    /** Fills {@code head} with (length | type << 24), flags, stream id; false at a clean EOF. */
    private boolean readHeader(int[] head) throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            return false;
        }
        int length = (b0 << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        head[0] = length | (type << 24);
        head[1] = in.readUnsignedByte();
        head[2] = in.readInt() & 0x7fffffff;
        return true;
    }

    private static byte[] headerBlockOf(int flags, byte[] payload) {
        int from = 0;
        int to = payload.length;
        if ((flags & 0x8) != 0) { // PADDED
            to -= payload[0] & 0xff;
            from = 1;
        }
        if ((flags & 0x20) != 0) { // PRIORITY
            from += 5;
        }
        return Arrays.copyOfRange(payload, from, to);
    }

    /** Reads on until a frame of {@code type}, which is returned; null if the connection ends first. */
    public Frame until(int type) throws IOException {
        for (Frame f; (f = read()) != null; ) {
            if (f.type() == type) {
                return f;
            }
        }
        return null;
    }

    /** Reads until the connection ends and returns its GOAWAY, or null if it ended without one. */
    public Frame goAwayThenEnd() throws IOException {
        Frame goAway = null;
        for (Frame f; (f = read()) != null; ) {
            if (f.type() == GOAWAY) {
                goAway = f;
            }
        }
        return goAway;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
