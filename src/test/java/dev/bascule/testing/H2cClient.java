package dev.bascule.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/2 client with prior knowledge (h2c) built on Netty's HTTP/2 codec: one connection, a stream per
 * request. For tests of listeners that list {@code h2c}, which the JDK client does not speak.
 */
public final class H2cClient implements AutoCloseable {
    /** One response: status, headers, body, trailers (empty when none). */
    public record Response(int status, HttpHeaders headers, byte[] body, HttpHeaders trailers) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    /** Completed with the GOAWAY frame when the server sends one. */
    public final CompletableFuture<Http2GoAwayFrame> goAway = new CompletableFuture<>();

    public H2cClient(InetSocketAddress server) throws InterruptedException {
        channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                new Http2MultiplexHandler(new SimpleChannelInboundHandler<Object>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {}
                                }),
                                new SimpleChannelInboundHandler<Object>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
                                        if (msg instanceof Http2GoAwayFrame g) {
                                            goAway.complete(g.retain());
                                        }
                                    }
                                });
                    }
                }).connect(server).sync().channel();
    }

    public Channel channel() {
        return channel;
    }

    /** Sends a request on a new stream; the future completes with the whole response. */
    public CompletableFuture<Response> send(HttpMethod method, String authority, String path, byte[] body,
            String... headers) {
        CompletableFuture<Response> result = new CompletableFuture<>();
        new Http2StreamChannelBootstrap(channel).handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), new Collector(result));
            }
        }).open().addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(f.cause());
                return;
            }
            Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
            FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path,
                    body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
            req.headers().set("host", authority);
            for (int i = 0; i < headers.length; i += 2) {
                req.headers().add(headers[i], headers[i + 1]);
            }
            stream.writeAndFlush(req);
            stream.closeFuture().addListener(c -> result.completeExceptionally(
                    new IllegalStateException("stream closed before the response ended")));
        });
        return result;
    }

    /**
     * Sends a HEADERS frame exactly as given (ending the stream), bypassing the HTTP/1 to HTTP/2 conversion, for
     * requests that conversion could not express (a host field beside {@code :authority}, say).
     */
    public CompletableFuture<Response> sendHeaders(Http2Headers headers) {
        return sendHeaders(headers, true);
    }

    /** As {@link #sendHeaders(Http2Headers)}; with {@code endStream} false the request body never comes. */
    public CompletableFuture<Response> sendHeaders(Http2Headers headers, boolean endStream) {
        CompletableFuture<Response> result = new CompletableFuture<>();
        new Http2StreamChannelBootstrap(channel).handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), new Collector(result));
            }
        }).open().addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(f.cause());
                return;
            }
            Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
            stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, endStream));
            stream.closeFuture().addListener(c -> result.completeExceptionally(
                    new IllegalStateException("stream closed before the response ended")));
        });
        return result;
    }

    public Response get(String authority, String path, String... headers) throws Exception {
        return send(HttpMethod.GET, authority, path, null, headers).get(10, TimeUnit.SECONDS);
    }

    private static final class Collector extends SimpleChannelInboundHandler<HttpObject> {
        private final CompletableFuture<Response> result;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private HttpResponse head;

        Collector(CompletableFuture<Response> result) {
            this.result = result;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse r) {
                if (r.status().code() / 100 == 1) {
                    return;
                }
                head = r;
            }
            if (msg instanceof HttpContent c) {
                ByteBuf b = c.content();
                byte[] bytes = new byte[b.readableBytes()];
                b.getBytes(b.readerIndex(), bytes);
                body.writeBytes(bytes);
                if (msg instanceof LastHttpContent last && head != null) {
                    result.complete(new Response(head.status().code(), head.headers(), body.toByteArray(),
                            last.trailingHeaders().copy()));
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.completeExceptionally(cause);
            ctx.close();
        }
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        Http2GoAwayFrame g = goAway.getNow(null);
        if (g != null) {
            ReferenceCountUtil.release(g);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
