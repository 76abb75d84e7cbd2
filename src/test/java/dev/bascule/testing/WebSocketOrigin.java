package dev.bascule.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real WebSocket origin on an ephemeral loopback port, built on Netty's {@code WebSocketServerProtocolHandler}
 * (which answers the handshake, computes {@code Sec-WebSocket-Accept}, answers pings and echoes close frames
 * with their code). Under {@code /ws} it echoes every data frame as it came, and knows three text commands:
 * <ul>
 *   <li>{@code name} — answers with the origin's name
 *   <li>{@code close:C} — closes with status code C
 *   <li>{@code ticks:N} — sends N text frames {@code tick-i}, one every 100 ms
 *   <li>{@code flood:N} — sends N binary frames of {@link #FLOOD} as fast as its connection takes them,
 *       counting what was written to the socket ({@link #flushedBytes})
 *   <li>{@code sink} — answers {@code sinking}, then stops reading until {@link #resumeReading}, and from then on
 *       counts binary payload bytes ({@link #sunkBytes}) instead of echoing them
 * </ul>
 * Any other path, handshake or not, gets a plain {@code 200} whose body is {@code plain:<name>}, on a connection
 * that stays open.
 */
public final class WebSocketOrigin implements AutoCloseable {
    private static final EventLoopGroup LOOPS = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    /** The payload of every {@code flood} frame: 1 MiB of {@code (byte) (i * 31)}. */
    public static final byte[] FLOOD = new byte[1 << 20];

    static {
        for (int i = 0; i < FLOOD.length; i++) {
            FLOOD[i] = (byte) (i * 31);
        }
    }

    private final String name;
    private final Channel server;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    /** WebSocket connections open now (handshake done, channel not yet closed). */
    private final AtomicInteger openWebSockets = new AtomicInteger();
    private final AtomicInteger handshakes = new AtomicInteger();
    private final AtomicInteger plainRequests = new AtomicInteger();
    private final AtomicLong flushedBytes = new AtomicLong();
    private final AtomicLong sunkBytes = new AtomicLong();

    private WebSocketOrigin(String name) throws InterruptedException {
        this.name = name;
        WebSocketServerProtocolConfig ws = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/ws")
                .checkStartsWith(true)
                .maxFramePayloadLength(4 << 20)
                .build();
        this.server = new ServerBootstrap()
                .group(LOOPS)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new WebSocketServerProtocolHandler(ws), new Echo(), new Plain());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    public static WebSocketOrigin start(String name) throws InterruptedException {
        return new WebSocketOrigin(name);
    }

    public String name() {
        return name;
    }

    public String address() {
        return "127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
    }

    public int openWebSockets() {
        return openWebSockets.get();
    }

    public int handshakes() {
        return handshakes.get();
    }

    public int plainRequests() {
        return plainRequests.get();
    }

    /** Payload bytes of {@code flood} frames written to the socket so far. */
    public long flushedBytes() {
        return flushedBytes.get();
    }

    /** Binary payload bytes read in {@code sink} mode so far. */
    public long sunkBytes() {
        return sunkBytes.get();
    }

    /** Lets connections in {@code sink} mode read again. */
    public void resumeReading() {
        connections.forEach(ch -> ch.config().setAutoRead(true));
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly();
        connections.close().awaitUninterruptibly();
    }

    private final class Echo extends SimpleChannelInboundHandler<WebSocketFrame> {
        private int floodLeft;
        private boolean sink;
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                handshakes.incrementAndGet();
                openWebSockets.incrementAndGet();
                ctx.channel().closeFuture().addListener(f -> openWebSockets.decrementAndGet());
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame text && frame.isFinalFragment()) {
                String t = text.text();
                if (t.equals("name")) {
                    ctx.writeAndFlush(new TextWebSocketFrame(name));
                    return;
                }
                if (t.startsWith("close:")) {
                    int code = Integer.parseInt(t.substring(6));
                    ctx.writeAndFlush(new CloseWebSocketFrame(code, "origin closes"));
                    return;
                }
                if (t.startsWith("ticks:")) {
                    tick(ctx, 0, Integer.parseInt(t.substring(6)));
                    return;
                }
                if (t.startsWith("flood:")) {
                    floodLeft = Integer.parseInt(t.substring(6));
                    flood(ctx);
                    return;
                }
                if (t.equals("sink")) {
                    sink = true;
                    ctx.channel().config().setAutoRead(false);
                    ctx.writeAndFlush(new TextWebSocketFrame("sinking"));
                    return;
                }
            }
            if (sink) {
                sunkBytes.addAndGet(frame.content().readableBytes());
                return;
            }
            ctx.writeAndFlush(frame.retain()); // echoed as it came, fragments included
        }

        private void flood(ChannelHandlerContext ctx) {
            while (floodLeft > 0 && ctx.channel().isWritable()) {
                floodLeft--;
                ctx.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(FLOOD))).addListener(f -> {
                    if (f.isSuccess()) {
                        flushedBytes.addAndGet(FLOOD.length);
                    }
                });
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable() && floodLeft > 0) {
                flood(ctx);
            }
            ctx.fireChannelWritabilityChanged();
        }

        private void tick(ChannelHandlerContext ctx, int i, int n) {
            if (i == n || !ctx.channel().isActive()) {
                return;
            }
            ctx.writeAndFlush(new TextWebSocketFrame("tick-" + i));
            ctx.executor().schedule(() -> tick(ctx, i + 1, n), 100, TimeUnit.MILLISECONDS);
        }
    }

    /** Every request that is not a WebSocket handshake on /ws: a plain answer, keep-alive. */
    private final class Plain extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            plainRequests.incrementAndGet();
            byte[] body = ("plain:" + name).getBytes(StandardCharsets.UTF_8);
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(body));
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            r.headers().set("x-origin", name);
            if (HttpUtil.isKeepAlive(request)) {
                ctx.writeAndFlush(r);
            } else {
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
