package dev.bascule.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real HTTP/2 origin on an ephemeral loopback port, built on Netty's HTTP/2 server codec (frames, not Bascule's
 * conversion): cleartext with prior knowledge, or TLS with ALPN {@code h2}. It names itself in an {@code x-origin}
 * header, counts its connections and records the resets it receives. Paths select behaviours:
 * <ul>
 *   <li>{@code /echo} — the request body back as it arrives, with back-pressure
 *   <li>{@code /verify} — reads the request body, checking each byte against {@link #patternByte}, and answers
 *       {@code bytes=N mismatches=M}
 *   <li>{@code /bytes/N} — N bytes of {@link #patternByte} with content-length, with back-pressure
 *   <li>{@code /trailers} — a gRPC-like answer: a body, then trailers {@code grpc-status}, {@code grpc-message}
 *   <li>{@code /headers} — the request's header fields as the body, one {@code name: value} per line
 *   <li>{@code /slow/MS} — answers after MS milliseconds
 *   <li>{@code /hang} — never answers
 *   <li>{@code /refuse-once/TOKEN} — the first request for TOKEN gets RST_STREAM(REFUSED_STREAM) once the whole
 *       request arrived; later ones are echoed
 *   <li>{@code /refuse-always} — RST_STREAM(REFUSED_STREAM) every time
 *   <li>{@code /reset} — RST_STREAM(INTERNAL_ERROR) every time: the request was processed, then the stream failed
 *   <li>{@code /work/ID} — answers {@code done ID} and records ID as processed; see {@link #goAwayOnce}
 *   <li>anything else — the origin's name as the body
 * </ul>
 */
public final class H2Origin implements AutoCloseable {
    private static final EventLoopGroup LOOPS = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private static final int CHUNK = 16 * 1024;

    private final String name;
    private final int maxConcurrentStreams;
    private final Channel server;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicInteger connectionsAccepted = new AtomicInteger();
    private final AtomicInteger connectionsOpen = new AtomicInteger();
    private final AtomicInteger peakConnectionsOpen = new AtomicInteger();
    private final AtomicInteger streams = new AtomicInteger();
    private final AtomicInteger hanging = new AtomicInteger();
    private final AtomicInteger goAwaysSent = new AtomicInteger();
    private final AtomicInteger goAwaysReceived = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> resets = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicInteger> processed = new ConcurrentHashMap<>();
    private final Set<String> refusedTokens = ConcurrentHashMap.newKeySet();
    /** The plan of {@link #goAwayOnce}, taken by the first connection that sees a /work request. */
    private final AtomicReference<GoAwayPlan> goAwayPlan = new AtomicReference<>();

    private record GoAwayPlan(int hold, int keep) {}

    private H2Origin(String name, SslContext tls, int maxConcurrentStreams) throws InterruptedException {
        this.name = name;
        this.maxConcurrentStreams = maxConcurrentStreams;
        this.server = new ServerBootstrap()
                .group(LOOPS)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connectionsAccepted.incrementAndGet();
                        peakConnectionsOpen.accumulateAndGet(connectionsOpen.incrementAndGet(), Math::max);
                        ch.closeFuture().addListener(f -> connectionsOpen.decrementAndGet());
                        connections.add(ch);
                        if (tls == null) {
                            addHttp2(ch.pipeline());
                            return;
                        }
                        ch.pipeline().addLast(tls.newHandler(ch.alloc()),
                                new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
                                    @Override
                                    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                                        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                                            addHttp2(ctx.pipeline());
                                        } else {
                                            ctx.close();
                                        }
                                    }
                                });
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    /** An h2c origin (prior knowledge) allowing {@code maxConcurrentStreams} streams per connection. */
    public static H2Origin start(String name, int maxConcurrentStreams) throws InterruptedException {
        return new H2Origin(name, null, maxConcurrentStreams);
    }

    /** An origin speaking HTTP/2 over TLS, selecting {@code h2} by ALPN, with this certificate. */
    public static H2Origin startTls(String name, PrivateKey key, X509Certificate cert, int maxConcurrentStreams)
            throws Exception {
        SslContext tls = SslContextBuilder.forServer(key, cert)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2))
                .build();
        return new H2Origin(name, tls, maxConcurrentStreams);
    }

    private void addHttp2(ChannelPipeline p) {
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                // a 1 MiB receive window, as grpc-java and Go servers use: uploads are not paced by round trips
                .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(maxConcurrentStreams)
                        .initialWindowSize(1024 * 1024))
                .build();
        ConnectionState connection = new ConnectionState(p.channel());
        p.addLast(codec, new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                streams.incrementAndGet();
                ch.pipeline().addLast(new StreamHandler(connection));
            }
        }), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof Http2GoAwayFrame) {
                    goAwaysReceived.incrementAndGet();
                }
                ReferenceCountUtil.release(msg);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close(); // a connection reset when the proxy goes away: nothing to report
            }
        });
    }

    public String address() {
        InetSocketAddress a = (InetSocketAddress) server.localAddress();
        return "127.0.0.1:" + a.getPort();
    }

    public int connectionsAccepted() {
        return connectionsAccepted.get();
    }

    public int connectionsOpen() {
        return connectionsOpen.get();
    }

    public int peakConnectionsOpen() {
        return peakConnectionsOpen.get();
    }

    /** Streams opened to this origin, refused ones included. */
    public int streams() {
        return streams.get();
    }

    /** Requests to {@code /hang} waiting now. */
    public int hanging() {
        return hanging.get();
    }

    public int goAwaysSent() {
        return goAwaysSent.get();
    }

    /** GOAWAY frames the proxy sent this origin, over all its connections. */
    public int goAwaysReceived() {
        return goAwaysReceived.get();
    }

    /** The resets received, as {@code path ERROR}, such as {@code /hang CANCEL}. */
    public List<String> resets() {
        return List.copyOf(resets);
    }

    /** How often each {@code /work/ID} was answered. */
    public Map<String, Integer> processed() {
        Map<String, Integer> copy = new ConcurrentHashMap<>();
        processed.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    /**
     * The first connection that receives {@code /work} requests holds them until it has {@code hold}, then sends
     * GOAWAY with the id of the {@code keep}-th as its last stream id (RFC 9113 6.8): the first {@code keep} are
     * answered, the rest are closed unprocessed. Other connections answer at once.
     */
    public void goAwayOnce(int hold, int keep) {
        goAwayPlan.set(new GoAwayPlan(hold, keep));
    }

    /** The byte at {@code offset} of a {@code /bytes/N} body. */
    public static byte patternByte(long offset) {
        return (byte) ((offset * 31 + (offset >>> 12)) & 0xff);
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        connections.close().syncUninterruptibly();
    }

    /** What one connection knows: the /work streams it holds while following a GOAWAY plan. */
    private final class ConnectionState {
        private final Channel channel;
        private final List<StreamHandler> held = new ArrayList<>();
        private GoAwayPlan plan;
        private boolean planChecked;
        /** The last stream id of the GOAWAY this connection sent; streams above it are left unprocessed. */
        private int goAwayLast = Integer.MAX_VALUE;

        ConnectionState(Channel channel) {
            this.channel = channel;
        }

        /** A /work request is complete: answer it, or hold it under the GOAWAY plan. */
        void work(StreamHandler stream) {
            if (!planChecked) {
                planChecked = true;
                GoAwayPlan p = goAwayPlan.get();
                if (p != null && goAwayPlan.compareAndSet(p, null)) {
                    plan = p;
                }
            }
            if (plan == null) {
                stream.answerWork();
                return;
            }
            held.add(stream);
            if (held.size() < plan.hold()) {
                return;
            }
            held.sort((a, b) -> Integer.compare(a.id(), b.id()));
            int last = held.get(plan.keep() - 1).id();
            plan = null;
            goAwayLast = last;
            Http2FrameCodec codec = channel.pipeline().get(Http2FrameCodec.class);
            ChannelHandlerContext ctx = channel.pipeline().context(codec);
            goAwaysSent.incrementAndGet();
            // The frame alone, without the codec's GOAWAY bookkeeping: Netty's server turns DATA of a stream it
            // ignored after its GOAWAY into a connection error, where RFC 9113 6.8 has the sender ignore such
            // frames. This origin ignores them itself (see refusedByGoAway).
            codec.encoder().frameWriter().writeGoAway(ctx, last, Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER,
                    ctx.newPromise());
            ctx.flush();
            for (StreamHandler s : held) {
                if (s.id() <= last) {
                    s.answerWork();
                } else {
                    s.ctx.close(); // the client already counts it unprocessed
                }
            }
            held.clear();
        }

        /** Whether a stream is above this connection's GOAWAY: it is not processed. */
        boolean refusedByGoAway(StreamHandler stream) {
            return stream.id() > goAwayLast;
        }
    }

    /** One request stream. */
    private final class StreamHandler extends ChannelInboundHandlerAdapter {
        private final ConnectionState connection;
        private ChannelHandlerContext ctx;
        private Http2Headers request;
        private String path = "?";
        private boolean ended;
        /** The echo's END_STREAM went out. */
        private boolean echoEnded;
        private ByteArrayOutputStream kept;
        private long toSend;
        private long sent;
        private long received;
        private long mismatches;

        StreamHandler(ConnectionState connection) {
            this.connection = connection;
        }

        int id() {
            return ((Http2StreamChannel) ctx.channel()).stream().id();
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame h) {
                    if (request == null) {
                        if (connection.refusedByGoAway(this)) {
                            ctx.close();
                            return;
                        }
                        request = h.headers();
                        path = String.valueOf(request.path());
                        if (path.startsWith("/echo")) {
                            ctx.writeAndFlush(new DefaultHttp2HeadersFrame(head(200)));
                        } else if (path.startsWith("/refuse-once/")) {
                            kept = new ByteArrayOutputStream();
                        }
                    }
                    if (h.isEndStream()) {
                        end();
                    }
                } else if (msg instanceof Http2DataFrame d) {
                    if (path.startsWith("/echo")) {
                        echoEnded = d.isEndStream();
                        ctx.write(new DefaultHttp2DataFrame(d.content().retain(), d.isEndStream()));
                        ctx.flush();
                        if (!ctx.channel().isWritable()) {
                            ctx.channel().config().setAutoRead(false); // back-pressure: the window stops the sender
                        }
                    } else if (kept != null) {
                        kept.writeBytes(ByteBufUtil.getBytes(d.content()));
                    } else if (path.equals("/verify")) {
                        // one bulk copy: with leak detection at PARANOID every single-byte access is recorded
                        byte[] bytes = ByteBufUtil.getBytes(d.content());
                        for (byte b : bytes) {
                            if (b != patternByte(received++)) {
                                mismatches++;
                            }
                        }
                    }
                    if (d.isEndStream()) {
                        end();
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private Http2Headers head(int status) {
            return new DefaultHttp2Headers().status(Integer.toString(status)).set("x-origin", name);
        }

        private void end() {
            ended = true;
            if (path.startsWith("/echo")) {
                if (!echoEnded) { // a request without body, or one that ended with trailers
                    ctx.writeAndFlush(new DefaultHttp2DataFrame(true));
                }
                return;
            }
            if (path.startsWith("/bytes/")) {
                toSend = Long.parseLong(path.substring("/bytes/".length()));
                ctx.write(new DefaultHttp2HeadersFrame(head(200).setLong("content-length", toSend)));
                pump();
            } else if (path.equals("/trailers")) {
                ctx.write(new DefaultHttp2HeadersFrame(head(200).set("content-type", "application/grpc")));
                ctx.write(new DefaultHttp2DataFrame(Unpooled.copiedBuffer("trailed body", StandardCharsets.UTF_8)));
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers()
                        .set("grpc-status", "0").set("grpc-message", "all good").set("x-checksum", "12"), true));
            } else if (path.equals("/verify")) {
                answer("bytes=" + received + " mismatches=" + mismatches);
            } else if (path.equals("/headers")) {
                StringBuilder b = new StringBuilder();
                request.forEach(e -> b.append(e.getKey()).append(": ").append(e.getValue()).append('\n'));
                answer(b.toString());
            } else if (path.startsWith("/slow/")) {
                long ms = Long.parseLong(path.substring("/slow/".length()));
                ctx.executor().schedule(() -> answer(name), ms, TimeUnit.MILLISECONDS);
            } else if (path.equals("/hang")) {
                hanging.incrementAndGet();
            } else if (path.startsWith("/refuse-once/")) {
                if (refusedTokens.add(path)) {
                    ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
                } else {
                    answer(kept.toString(StandardCharsets.UTF_8));
                }
            } else if (path.equals("/refuse-always")) {
                ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
            } else if (path.equals("/reset")) {
                ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR));
            } else if (path.startsWith("/work/")) {
                connection.work(this);
            } else {
                answer(name);
            }
        }

        void answerWork() {
            String id = path.substring("/work/".length());
            processed.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            answer("done " + id);
        }

        private void answer(String body) {
            if (!ctx.channel().isActive()) {
                return;
            }
            ctx.write(new DefaultHttp2HeadersFrame(head(200)));
            ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8), true));
        }

        /** Writes the /bytes body while the stream's window and the connection take it. */
        private void pump() {
            while (sent < toSend && ctx.channel().isWritable()) {
                int n = (int) Math.min(CHUNK, toSend - sent);
                byte[] chunk = new byte[n];
                for (int i = 0; i < n; i++) {
                    chunk[i] = patternByte(sent + i);
                }
                ByteBuf buf = ctx.alloc().buffer(n).writeBytes(chunk);
                sent += n;
                ctx.write(new DefaultHttp2DataFrame(buf, sent == toSend));
            }
            ctx.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (!ctx.channel().isWritable()) {
                return;
            }
            if (path.startsWith("/echo")) {
                ctx.channel().config().setAutoRead(true);
            } else if (toSend > 0) {
                pump();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame r) {
                Http2Error e = Http2Error.valueOf(r.errorCode());
                resets.add(path + " " + (e == null ? r.errorCode() : e.name()));
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (path.equals("/hang") && ended) {
                hanging.decrementAndGet();
            }
        }
    }
}
