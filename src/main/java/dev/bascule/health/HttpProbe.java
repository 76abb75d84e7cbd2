package dev.bascule.health;

import dev.bascule.config.HealthCheckConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One probe. A {@code tcp} check passes when the connect succeeds within {@code check.timeout()}, and closes at
 * once. An {@code http} check: connect, {@code GET check.path()} with {@code Connection: close}, read the response to its
 * end (the body is dropped as it arrives), close. It passes when the whole response arrived within {@code
 * check.timeout()} of the start, connecting included, with a status in {@code [expectStatusMin,
 * expectStatusMax]}; a status outside the range fails as soon as the status line is read.
 *
 * <p>A new connection per probe: probes are seconds apart, so a kept-alive connection would save little, and a
 * fresh connect also exercises the server's accept path, which is what real traffic needs first.
 *
 * <p>Threading: confined to the event loop it is started on; its result completes there.
 */
final class HttpProbe extends ChannelInboundHandlerAdapter {
    static final String USER_AGENT = "bascule-health";

    private final ProbeTarget target;
    private final long timeoutMillis;
    private final CompletableFuture<ProbeResult> result = new CompletableFuture<>();
    private Channel channel;
    private ScheduledFuture<?> deadline;
    private boolean connected;
    /** Final status of the response being read; -1 before its status line (or after an interim 1xx). */
    private int status = -1;

    private HttpProbe(ProbeTarget target) {
        this.target = target;
        this.timeoutMillis = Math.max(1, target.check().timeout().toMillis());
    }

    /**
     * Starts a probe of {@code target} on {@code loop}; must be called on {@code loop}.
     *
     * @return the probe; its connection is {@link #channel()}, its outcome {@link #result()}
     */
    static HttpProbe start(EventLoop loop, Class<? extends SocketChannel> channelType, ProbeTarget target) {
        HttpProbe probe = new HttpProbe(target);
        // One deadline for the whole probe, connect included: the config's timeout bounds how long a probe
        // can hold its result back. The connect timeout below is the same, so a hung connect cannot outlive it.
        probe.deadline = loop.schedule(probe::timedOut, probe.timeoutMillis, TimeUnit.MILLISECONDS);
        ChannelFuture connect = new Bootstrap()
                .group(loop)
                .channel(channelType)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(probe.timeoutMillis, Integer.MAX_VALUE))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (target.check().type() == HealthCheckConfig.Type.TCP) {
                            ch.pipeline().addLast(probe);
                        } else {
                            ch.pipeline().addLast(new HttpClientCodec(), probe);
                        }
                    }
                })
                .connect(target.socketAddress());
        // Set here as well as in handlerAdded: a channel that failed to register never gets the handler.
        probe.channel = connect.channel();
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                probe.finish(ProbeResult.fail(connectProblem(f.cause(), probe.timeoutMillis)));
            }
        });
        return probe;
    }

    Channel channel() {
        return channel;
    }

    CompletableFuture<ProbeResult> result() {
        return result;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // A loopback connect can complete inside connect(), before start() has the channel in hand.
        channel = ctx.channel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        connected = true;
        HealthCheckConfig check = target.check();
        if (check.type() == HealthCheckConfig.Type.TCP) {
            finish(ProbeResult.pass()); // the connect is the whole check; nothing is sent
            return;
        }
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, check.path(),
                Unpooled.EMPTY_BUFFER);
        req.headers()
                .set(HttpHeaderNames.HOST, check.host() != null ? check.host() : target.address())
                .set(HttpHeaderNames.USER_AGENT, USER_AGENT)
                .set(HttpHeaderNames.ACCEPT, "*/*")
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(req).addListener(f -> {
            if (!f.isSuccess()) {
                finish(ProbeResult.fail("write failed: " + describe(f.cause())));
            }
        });
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (result.isDone()) {
                return;
            }
            if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
                // The decoder reports a body cut short by the close as a failed last chunk.
                boolean cut = o.decoderResult().cause() instanceof PrematureChannelClosureException;
                finish(ProbeResult.fail(cut ? "connection closed mid-response" : "malformed response"));
                return;
            }
            if (msg instanceof HttpResponse response) {
                int code = response.status().code();
                // An interim 1xx (RFC 9110 section 15.2) is followed by the real response; 101 is not interim
                // for us: we asked for no upgrade.
                if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL && code != 101) {
                    status = -1;
                    return;
                }
                HealthCheckConfig check = target.check();
                if (code < check.expectStatusMin() || code > check.expectStatusMax()) {
                    finish(ProbeResult.fail("status " + code));
                    return;
                }
                status = code;
            }
            if (msg instanceof LastHttpContent && status >= 0) {
                finish(ProbeResult.pass());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        finish(ProbeResult.fail(status >= 0 ? "connection closed mid-response" : "connection closed before a response"));
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        finish(ProbeResult.fail("read failed: " + describe(cause)));
    }

    private void timedOut() {
        finish(ProbeResult.fail((connected ? "timeout after " : "connect timeout after ") + timeoutMillis + " ms"));
    }

    /** Completes the probe once; later events are ignored. Closes the connection either way. */
    private void finish(ProbeResult r) {
        if (result.isDone()) {
            return;
        }
        deadline.cancel(false);
        if (channel != null) {
            channel.close();
        }
        result.complete(r);
    }

    static String connectProblem(Throwable cause, long timeoutMillis) {
        if (cause instanceof ConnectTimeoutException) {
            return "connect timeout after " + timeoutMillis + " ms";
        }
        String message = describe(cause);
        if (cause instanceof ConnectException && message.toLowerCase(Locale.ROOT).contains("refused")) {
            return "connect refused";
        }
        return "connect failed: " + message;
    }

    static String describe(Throwable cause) {
        String message = cause.getMessage();
        return message != null ? message : cause.getClass().getSimpleName();
    }
}
