package dev.bascule.health;

import dev.bascule.config.HealthCheckConfig;
import dev.bascule.tls.OriginTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One {@code grpc} probe: the standard health service's {@code grpc.health.v1.Health/Check} for {@code
 * check.service()}, over HTTP/2 on a connection of its own (h2c with prior knowledge, or h2 over the upstream's
 * TLS with ALPN {@code h2}). It passes when the call ends within {@code check.timeout()}, connecting included,
 * with {@code grpc-status: 0} and a {@code HealthCheckResponse} whose {@code status} is {@code SERVING}; anything
 * else fails with a problem text such as {@code NOT_SERVING} or {@code grpc-status 12 UNIMPLEMENTED}.
 *
 * <p>The request and response messages are tiny protobufs encoded here by hand (see {@link #request} and {@link
 * #servingStatus}), so the prober needs no gRPC or protobuf library.
 *
 * <p>Threading: confined to the event loop it is started on; its result completes there.
 */
final class GrpcProbe extends ChannelInboundHandlerAdapter {
    static final String PATH = "/grpc.health.v1.Health/Check";
    /** A HealthCheckResponse is a few bytes; anything much longer is not one. */
    private static final int MAX_RESPONSE_BYTES = 1024;
    /** grpc-status codes by number (grpc/doc/statuscodes.md), for problem texts. */
    private static final String[] STATUS_NAMES = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
        "UNAUTHENTICATED"};
    /** HealthCheckResponse.ServingStatus by number (grpc/proto/grpc/health/v1/health.proto). */
    private static final String[] SERVING_NAMES = {"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"};
    private static final int SERVING = 1;

    private final ProbeTarget target;
    private final long timeoutMillis;
    private final CompletableFuture<ProbeResult> result = new CompletableFuture<>();
    private final Responses responses = new Responses();
    private Http2ConnectionHandler http2;
    private Channel channel;
    private ScheduledFuture<?> deadline;
    private boolean connected;
    /** Set once the response's :status 200 head arrived; the next HEADERS frame is its trailers. */
    private boolean headRead;
    private final byte[] body = new byte[MAX_RESPONSE_BYTES];
    private int bodyLength;

    private GrpcProbe(ProbeTarget target) {
        this.target = target;
        this.timeoutMillis = Math.max(1, target.check().timeout().toMillis());
    }

    /** Starts a probe of {@code target} on {@code loop}; must be called on {@code loop}. */
    static GrpcProbe start(EventLoop loop, Class<? extends SocketChannel> channelType, ProbeTarget target) {
        GrpcProbe probe = new GrpcProbe(target);
        probe.deadline = loop.schedule(probe::timedOut, probe.timeoutMillis, TimeUnit.MILLISECONDS);
        OriginTls tls = target.tls();
        ChannelFuture connect = new Bootstrap()
                .group(loop)
                .channel(channelType)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(probe.timeoutMillis, Integer.MAX_VALUE))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.context().newHandler(ch.alloc(), tls.peerHost(),
                                    target.socketAddress().getPort()));
                        }
                        // No graceful wait on close: the probe closes when it has its answer, or gives up.
                        probe.http2 = new Http2ConnectionHandlerBuilder().server(false)
                                .frameListener(probe.responses).gracefulShutdownTimeoutMillis(0).build();
                        ch.pipeline().addLast(probe.http2, probe);
                    }
                })
                .connect(target.socketAddress());
        probe.channel = connect.channel();
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                probe.finish(ProbeResult.fail(HttpProbe.connectProblem(f.cause(), probe.timeoutMillis)));
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
        channel = ctx.channel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // The connection handler before this one has sent the client preface; with TLS, the SslHandler holds
        // these writes until the handshake is done.
        connected = true;
        HealthCheckConfig check = target.check();
        Http2Headers headers = new DefaultHttp2Headers()
                .method("POST")
                .scheme(target.tls() != null ? "https" : "http")
                .path(PATH)
                .authority(check.host() != null && !check.host().isEmpty() ? check.host() : target.address())
                .set("content-type", "application/grpc")
                .set("te", "trailers") // gRPC servers require it (gRPC over HTTP/2, "Requests")
                .set("grpc-timeout", timeoutMillis + "m") // the server can give up when we do
                .set("user-agent", HttpProbe.USER_AGENT);
        int stream = http2.connection().local().incrementAndGetNextStreamId();
        http2.encoder().writeHeaders(ctx, stream, headers, 0, false, ctx.newPromise());
        ByteBuf message = request(ctx, check.service() == null ? "" : check.service());
        http2.encoder().writeData(ctx, stream, message, 0, true, ctx.newPromise()).addListener(f -> {
            if (!f.isSuccess()) {
                finish(ProbeResult.fail("write failed: " + HttpProbe.describe(f.cause())));
            }
        });
        ctx.flush();
        ctx.fireChannelActive();
    }

    /**
     * The length-prefixed message (gRPC over HTTP/2: a compressed flag byte, a 4-byte big-endian length) holding
     * {@code HealthCheckRequest{service}}: field 1, wire type 2, is tag byte 0x0a, a varint length and the UTF-8
     * bytes; an empty service is the empty message.
     */
    static ByteBuf request(ChannelHandlerContext ctx, String service) {
        byte[] name = service.getBytes(StandardCharsets.UTF_8);
        int fieldLength = name.length == 0 ? 0 : 1 + varintSize(name.length) + name.length;
        ByteBuf buf = ctx.alloc().buffer(5 + fieldLength);
        buf.writeByte(0).writeInt(fieldLength);
        if (name.length > 0) {
            buf.writeByte(0x0a);
            for (int v = name.length; ; v >>>= 7) {
                if ((v & ~0x7f) == 0) {
                    buf.writeByte(v);
                    break;
                }
                buf.writeByte((v & 0x7f) | 0x80);
            }
            buf.writeBytes(name);
        }
        return buf;
    }

    private static int varintSize(int v) {
        int n = 1;
        while ((v & ~0x7f) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    /**
     * The {@code status} of the {@code HealthCheckResponse} in {@code message} (5-byte prefix included); 0
     * (UNKNOWN, protobuf's default) when the field is absent, -1 when the message is malformed or compressed.
     */
    static int servingStatus(byte[] message, int length) {
        if (length < 5 || message[0] != 0) {
            return -1; // no prefix, or compressed: we offered no grpc-accept-encoding, so it must not be
        }
        int declared = ((message[1] & 0xff) << 24) | ((message[2] & 0xff) << 16) | ((message[3] & 0xff) << 8)
                | (message[4] & 0xff);
        if (declared != length - 5) {
            return -1;
        }
        int status = 0;
        int i = 5;
        while (i < length) {
            int tag = message[i++] & 0xff;
            if (tag == 0x08) { // field 1, varint: status
                long v = 0;
                int shift = 0;
                while (true) {
                    if (i >= length || shift > 63) {
                        return -1;
                    }
                    int b = message[i++] & 0xff;
                    v |= (long) (b & 0x7f) << shift;
                    shift += 7;
                    if ((b & 0x80) == 0) {
                        break;
                    }
                }
                status = (int) v;
            } else {
                return -1; // HealthCheckResponse has no other field a server would send
            }
        }
        return status;
    }

    /** Reads the one response stream. Frames on the connection's event loop, after the codec has decoded them. */
    private final class Responses extends Http2FrameAdapter {
        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                boolean endOfStream) {
            if (result.isDone()) {
                return;
            }
            if (!headRead) {
                CharSequence status = headers.status();
                if (status == null || !"200".contentEquals(status)) {
                    finish(ProbeResult.fail("HTTP status " + status));
                    return;
                }
                headRead = true;
                if (!endOfStream) {
                    return;
                }
                // Trailers-only: grpc-status is in this one HEADERS frame (gRPC over HTTP/2, "Responses").
            }
            trailers(headers);
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
                int streamDependency, short weight, boolean exclusive, int padding, boolean endOfStream) {
            onHeadersRead(ctx, streamId, headers, padding, endOfStream); // a PRIORITY flag changes nothing here
        }

        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
                boolean endOfStream) {
            int processed = data.readableBytes() + padding;
            if (result.isDone()) {
                return processed;
            }
            int n = data.readableBytes();
            if (bodyLength + n > body.length) {
                finish(ProbeResult.fail("response message over " + MAX_RESPONSE_BYTES + " bytes"));
                return processed;
            }
            data.getBytes(data.readerIndex(), body, bodyLength, n);
            bodyLength += n;
            if (endOfStream) {
                finish(ProbeResult.fail("response without grpc-status"));
            }
            return processed;
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
            Http2Error error = Http2Error.valueOf(errorCode);
            finish(ProbeResult.fail("stream reset: " + (error != null ? error.name() : Long.toString(errorCode))));
        }

        @Override
        public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
            if (lastStreamId < 1) { // our stream (id 1) was not processed
                finish(ProbeResult.fail("GOAWAY before the call was processed"));
            }
        }
    }

    /** The call's end: grpc-status, then the message's serving status. */
    private void trailers(Http2Headers trailers) {
        CharSequence grpcStatus = trailers.get("grpc-status");
        if (grpcStatus == null) {
            finish(ProbeResult.fail("response without grpc-status"));
            return;
        }
        int code;
        try {
            code = Integer.parseInt(grpcStatus.toString());
        } catch (NumberFormatException e) {
            finish(ProbeResult.fail("malformed grpc-status " + grpcStatus));
            return;
        }
        if (code != 0) {
            CharSequence message = trailers.get("grpc-message");
            String name = code > 0 && code < STATUS_NAMES.length ? " " + STATUS_NAMES[code] : "";
            finish(ProbeResult.fail("grpc-status " + code + name
                    + (message != null && message.length() > 0 ? ": " + message : "")));
            return;
        }
        int serving = servingStatus(body, bodyLength);
        if (serving == SERVING) {
            finish(ProbeResult.pass());
        } else if (serving < 0) {
            finish(ProbeResult.fail("malformed HealthCheckResponse"));
        } else {
            finish(ProbeResult.fail(serving < SERVING_NAMES.length ? SERVING_NAMES[serving] : "status " + serving));
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (!done.isSuccess()) {
                finish(ProbeResult.fail("TLS handshake failed: " + HttpProbe.describe(done.cause())));
            } else if (!ApplicationProtocolNames.HTTP_2.equals(
                    ctx.pipeline().get(SslHandler.class).applicationProtocol())) {
                finish(ProbeResult.fail("server did not select ALPN h2"));
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        finish(ProbeResult.fail(headRead ? "connection closed mid-response" : "connection closed before a response"));
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        finish(ProbeResult.fail("read failed: " + HttpProbe.describe(cause)));
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
}
