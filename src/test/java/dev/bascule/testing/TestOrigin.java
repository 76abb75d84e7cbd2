package dev.bascule.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.stream.ChunkedInput;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * A real HTTP origin on an ephemeral loopback port that names itself in an {@code x-origin} header and records
 * what it receives. Paths select behaviours:
 * <ul>
 *   <li>{@code /bytes?n=N} — N bytes of body with Content-Length, streamed with back-pressure
 *   <li>{@code /chunked?n=N} — N bytes, chunked
 *   <li>{@code /upload} — counts the request body and answers the count, with the body's CRC-32 in hex in an
 *       {@code x-upload-crc32} header
 *   <li>{@code /status?code=C} — answers with status C
 *   <li>{@code /delay?ms=M} — answers after M milliseconds
 *   <li>{@code /slow-stream?ms=M&chunks=K} — a chunked body of K lines spread over M milliseconds
 *   <li>{@code /echo-headers} — the request headers as the body, one {@code name: value} per line
 *   <li>anything else — the origin's name as the body
 * </ul>
 */
public final class TestOrigin implements AutoCloseable {
    private static final EventLoopGroup LOOPS =
            new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());

    private final String name;
    private final Channel server;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicInteger connectionsAccepted = new AtomicInteger();
    private final AtomicInteger connectionsOpen = new AtomicInteger();
    private final AtomicInteger peakConnectionsOpen = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicLong bytesUploaded = new AtomicLong();
    private final ConcurrentLinkedQueue<Recorded> recorded = new ConcurrentLinkedQueue<>();
    /** When non-zero, every request except health probes is answered with this status. */
    private volatile int forcedStatus;
    /** Every how many requests one is answered with {@link #failEveryStatus}; 0 for none. */
    private volatile int failEvery;
    private volatile int failEveryStatus;
    private final AtomicInteger failEveryTurn = new AtomicInteger();
    private final AtomicInteger failedOnPurpose = new AtomicInteger();
    /** When non-zero, every request except health probes is answered this many milliseconds late. */
    private volatile long delayMillis;

    /** What the origin saw of one request; {@code version} as its request line had it, such as {@code HTTP/1.1}. */
    public record Recorded(String method, String uri, HttpHeaders headers, String version) {}

    private TestOrigin(String name, int port) throws InterruptedException {
        this(name, port, null);
    }

    private TestOrigin(String name, int port, SslContext tls) throws InterruptedException {
        this.name = name;
        this.server = new ServerBootstrap()
                .group(LOOPS)
                .channel(NioServerSocketChannel.class)
                // half-closure lets OpenCounter see the proxy's end of a connection before this side closes it
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connectionsAccepted.incrementAndGet();
                        peakConnectionsOpen.accumulateAndGet(connectionsOpen.incrementAndGet(), Math::max);
                        OpenCounter counter = new OpenCounter();
                        ch.closeFuture().addListener(f -> counter.closed());
                        ch.pipeline().addLast(counter);
                        connections.add(ch);
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(new HttpServerCodec(), new ChunkedWriteHandler(), new Handler());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
    }

    public static TestOrigin start(String name) throws InterruptedException {
        return new TestOrigin(name, 0);
    }

    /** An origin that speaks HTTPS with the given server context. */
    public static TestOrigin startTls(String name, SslContext tls) throws InterruptedException {
        return new TestOrigin(name, 0, tls);
    }

    /** Starts again on a given port, as a restarted server would. */
    public static TestOrigin startOn(String name, int port) throws InterruptedException {
        return new TestOrigin(name, port);
    }

    public String name() {
        return name;
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    public int connectionsAccepted() {
        return connectionsAccepted.get();
    }

    /** The most connections from the proxy that were open at once (accepted and not yet closed). */
    public int peakOpenConnections() {
        return peakConnectionsOpen.get();
    }

    /** Connections from the proxy that are open now. */
    public int openConnections() {
        return connections.size();
    }

    public int requests() {
        return requests.get();
    }

    public long bytesUploaded() {
        return bytesUploaded.get();
    }

    /** Makes the origin answer every request (but {@code /health}) with {@code status}; 0 restores normal. */
    public void failWith(int status) {
        forcedStatus = status;
    }

    /**
     * Makes the origin answer every {@code n}th request (but {@code /health}) with {@code status}, the others
     * normally: {@code failEvery(5, 500)} fails 20% of requests. 0 restores normal.
     */
    public void failEvery(int n, int status) {
        failEveryStatus = status;
        failEvery = n;
    }

    /** The requests answered with the status of {@link #failEvery} so far. */
    public int failedOnPurpose() {
        return failedOnPurpose.get();
    }

    /**
     * Makes the origin answer every request (but {@code /health}) {@code millis} late, without blocking its event
     * loop, as a slow server would; 0 restores normal.
     */
    public void delayEvery(long millis) {
        delayMillis = millis;
    }

    public List<Recorded> recorded() {
        return List.copyOf(recorded);
    }

    /** Stops listening and drops every open connection, as a crashed server would. */
    @Override
    public void close() {
        server.close().awaitUninterruptibly();
        connections.close().awaitUninterruptibly();
    }

    /**
     * Counts a connection as closed when this origin decides to close it, before its socket closes, so that a
     * new connection the proxy opens once it sees the close can never be counted while the old one still is.
     * The proxy's end of the connection (EOF) closes it, as without half-closure.
     */
    private final class OpenCounter extends ChannelDuplexHandler {
        private boolean counted = true;

        void closed() {
            if (counted) {
                counted = false;
                connectionsOpen.decrementAndGet();
            }
        }

        @Override
        public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
            closed();
            ctx.close(promise);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                closed();
                ctx.close();
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private HttpRequest current;
        private long uploaded;
        private final CRC32 uploadCrc = new CRC32();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest req) {
                current = req;
                uploaded = 0;
                uploadCrc.reset();
                requests.incrementAndGet();
                recorded.add(new Recorded(req.method().name(), req.uri(), req.headers().copy(),
                        req.protocolVersion().text()));
            }
            if (msg instanceof HttpContent content) {
                uploaded += content.content().readableBytes();
                for (ByteBuffer b : content.content().nioBuffers()) {
                    uploadCrc.update(b);
                }
                bytesUploaded.addAndGet(content.content().readableBytes());
                content.release();
                if (content instanceof LastHttpContent) {
                    long delay = delayMillis;
                    HttpRequest req = current;
                    long n = uploaded;
                    if (delay > 0 && !req.uri().startsWith("/health")) {
                        ctx.executor().schedule(() -> respond(ctx, req, n), delay, TimeUnit.MILLISECONDS);
                    } else {
                        respond(ctx, req, n);
                    }
                }
            }
        }

        private void respond(ChannelHandlerContext ctx, HttpRequest req, long uploaded) {
            QueryStringDecoder q = new QueryStringDecoder(req.uri());
            Map<String, List<String>> p = q.parameters();
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            int forced = forcedStatus;
            if (forced != 0 && !q.path().equals("/health")) {
                send(ctx, keepAlive, HttpResponseStatus.valueOf(forced), name);
                return;
            }
            int failNth = failEvery;
            if (failNth > 0 && !q.path().equals("/health") && failEveryTurn.incrementAndGet() % failNth == 0) {
                failedOnPurpose.incrementAndGet();
                send(ctx, keepAlive, HttpResponseStatus.valueOf(failEveryStatus), name);
                return;
            }
            switch (q.path()) {
                case "/bytes", "/chunked" -> {
                    long n = Long.parseLong(p.get("n").get(0));
                    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                    head.headers().set("x-origin", name);
                    if (q.path().equals("/bytes")) {
                        HttpUtil.setContentLength(head, n);
                    } else {
                        HttpUtil.setTransferEncodingChunked(head, true);
                    }
                    HttpUtil.setKeepAlive(head, keepAlive);
                    if (req.method().name().equals("HEAD")) {
                        ctx.write(head);
                        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                        return;
                    }
                    ctx.write(head);
                    ctx.writeAndFlush(new HttpChunkedInput(new Filler(n))).addListener(f -> {
                        if (!keepAlive) {
                            ctx.close();
                        }
                    });
                }
                case "/slow-stream" -> {
                    int chunks = Integer.parseInt(p.get("chunks").get(0));
                    long every = Long.parseLong(p.get("ms").get(0)) / chunks;
                    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                    head.headers().set("x-origin", name);
                    HttpUtil.setTransferEncodingChunked(head, true);
                    ctx.writeAndFlush(head);
                    streamSlowly(ctx, chunks, every);
                }
                case "/upload" -> {
                    FullHttpResponse r = response(keepAlive, HttpResponseStatus.OK, Long.toString(uploaded));
                    r.headers().set("x-upload-crc32", Long.toHexString(uploadCrc.getValue()));
                    send(ctx, keepAlive, r);
                }
                case "/status" -> send(ctx, keepAlive,
                        HttpResponseStatus.valueOf(Integer.parseInt(p.get("code").get(0))), name);
                case "/delay" -> ctx.executor().schedule(
                        () -> send(ctx, keepAlive, HttpResponseStatus.OK, name),
                        Long.parseLong(p.get("ms").get(0)), TimeUnit.MILLISECONDS);
                case "/echo-headers" -> {
                    StringBuilder sb = new StringBuilder();
                    req.headers().forEach(e -> sb.append(e.getKey().toLowerCase()).append(": ")
                            .append(e.getValue()).append('\n'));
                    FullHttpResponse r = response(keepAlive, HttpResponseStatus.OK, sb.toString());
                    // Each x-echo-* request field comes back as a response field of its own too.
                    req.headers().forEach(e -> {
                        if (e.getKey().toLowerCase().startsWith("x-echo-")) {
                            r.headers().add(e.getKey(), e.getValue());
                        }
                    });
                    send(ctx, keepAlive, r);
                }
                default -> send(ctx, keepAlive, HttpResponseStatus.OK, name);
            }
        }

        private void streamSlowly(ChannelHandlerContext ctx, int left, long everyMillis) {
            if (left == 0) {
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                return;
            }
            ctx.executor().schedule(() -> {
                ctx.writeAndFlush(new io.netty.handler.codec.http.DefaultHttpContent(
                        Unpooled.copiedBuffer(name + "\n", StandardCharsets.UTF_8)));
                streamSlowly(ctx, left - 1, everyMillis);
            }, everyMillis, TimeUnit.MILLISECONDS);
        }

        private void send(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String body) {
            send(ctx, keepAlive, response(keepAlive, status, body));
        }

        private FullHttpResponse response(boolean keepAlive, HttpResponseStatus status, String body) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            r.headers().set("x-origin", name).setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
            HttpUtil.setKeepAlive(r, keepAlive);
            return r;
        }

        private void send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse r) {
            if (keepAlive) {
                ctx.writeAndFlush(r);
            } else {
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    /** Produces N bytes of a repeating pattern in 64 KiB pieces, only as fast as the socket takes them. */
    private static final class Filler implements ChunkedInput<ByteBuf> {
        /** Byte i of a body is {@code i & 0x7f}; any 64 KiB run of it starts somewhere in this array. */
        private static final byte[] PATTERN = new byte[65536 + 128];

        static {
            for (int i = 0; i < PATTERN.length; i++) {
                PATTERN[i] = (byte) (i & 0x7f);
            }
        }

        private final long total;
        private long sent;

        Filler(long total) {
            this.total = total;
        }

        @Override
        public boolean isEndOfInput() {
            return sent >= total;
        }

        @Override
        public void close() {}

        @Override
        @Deprecated
        public ByteBuf readChunk(ChannelHandlerContext ctx) {
            return readChunk(ctx.alloc());
        }

        @Override
        public ByteBuf readChunk(ByteBufAllocator allocator) {
            if (isEndOfInput()) {
                return null;
            }
            int n = (int) Math.min(65536, total - sent);
            ByteBuf buf = allocator.buffer(n);
            // one bulk write per chunk: per-byte writes are slow under paranoid leak detection
            buf.writeBytes(PATTERN, (int) (sent & 0x7f), n);
            sent += n;
            return buf;
        }

        @Override
        public long length() {
            return total;
        }

        @Override
        public long progress() {
            return sent;
        }
    }
}
