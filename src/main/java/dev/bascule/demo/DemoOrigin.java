package dev.bascule.demo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A demo origin: answers every request with a small HTML page naming itself, and {@code /health} with 200.
 *
 * <p>Threading: runs on the event loop group it is given; {@link #close} from any thread.
 */
public final class DemoOrigin implements AutoCloseable {
    private final String name;
    private final Channel channel;

    private DemoOrigin(String name, Channel channel) {
        this.name = name;
        this.channel = channel;
    }

    public static DemoOrigin start(String name, InetSocketAddress address, EventLoopGroup group,
            Class<? extends ServerSocketChannel> channelType) throws InterruptedException {
        Channel ch = new ServerBootstrap()
                .group(group)
                .channel(channelType)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        c.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Page(name));
                    }
                })
                .bind(address).sync().channel();
        return new DemoOrigin(name, ch);
    }

    public String name() {
        return name;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
    }

    private static final class Page extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final String name;

        Page(String name) {
            this.name = name;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            String path = req.uri();
            String body;
            String type;
            if (path.equals("/health")) {
                body = "ok\n";
                type = "text/plain; charset=utf-8";
            } else {
                String host = escape(String.valueOf(req.headers().get(HttpHeaderNames.HOST)));
                String color = name.startsWith("green") ? "#2e7d32" : "#1565c0";
                body = "<!doctype html>\n<html><head><title>" + name + "</title></head>"
                        + "<body style=\"font-family:sans-serif;color:" + color + "\">"
                        + "<h1>" + name + "</h1>"
                        + "<p>served <code>" + escape(req.method() + " " + path) + "</code> for host <code>" + host
                        + "</code></p></body></html>\n";
                type = "text/html; charset=utf-8";
            }
            ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, content);
            res.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, type)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes())
                    .set("x-origin", name);
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            HttpUtil.setKeepAlive(res, keepAlive);
            if (keepAlive) {
                ctx.writeAndFlush(res, ctx.voidPromise());
            } else {
                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
            }
        }

        private static String escape(String s) {
            return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        }
    }
}
