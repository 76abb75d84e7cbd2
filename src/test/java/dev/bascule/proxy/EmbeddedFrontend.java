package dev.bascule.proxy;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.bascule.balance.Balancers;
import dev.bascule.config.ConfigLoader;
import dev.bascule.control.ControlPlane;
import dev.bascule.control.ProxySettings;
import dev.bascule.control.Resolver;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.origin.EmbeddedOrigins;
import dev.bascule.upstream.Server;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One client connection with the pipeline {@link FrontendInitializer} builds for a plain listener (timers, codec,
 * frontend handler) in an {@link EmbeddedChannel}, on a snapshot built by a real {@link
 * ControlPlane} from a YAML config, with {@link EmbeddedOrigins} as its origins. Time is a mock ticker shared by the
 * client channel, every origin channel and the control plane; it moves only when a test says so.
 *
 * <p>Threading: the test thread only (the control plane has its own thread, reached through its futures).
 */
final class EmbeddedFrontend implements AutoCloseable {
    final MockTicker ticker = Ticker.newMockTicker();
    final ControlPlane control;
    final EmbeddedOrigins origins;
    final ClientChannel client;
    /** Stands for the client's socket, at the head of the pipeline. */
    final Socket socket = new Socket();
    /** What the frontend handler was handed, between the codec and it: one line per message. */
    final List<String> handed = new ArrayList<>();

    /** @param peer the client's address, as the accepted socket would report it */
    EmbeddedFrontend(String yaml, String peer) throws Exception {
        control = ControlPlane.start(
                ProxyUnderTest.withoutAccessLog(new ConfigLoader(Balancers.standard().names()).parse(yaml, "t.yaml")),
                Balancers.standard(), Resolver.SYSTEM, Clock.systemUTC(), ticker::nanoTime,
                Executors.newSingleThreadScheduledExecutor());
        client = new ClientChannel(ticker, new InetSocketAddress(InetAddress.getByName(peer), 40000));
        origins = new EmbeddedOrigins(client, 4);
        client.config().setAutoRead(false); // as FrontendServer's child channels: reads are asked for one by one
        client.config().setWriteBufferWaterMark(FrontendServer.WATER_MARK);
        ProxySettings settings = control.live().get().settings();
        ClientTimeouts timeouts = new ClientTimeouts(settings);
        // Added to an active channel, as FrontendInitializer adds them to an accepted one.
        client.pipeline().addLast(socket, timeouts, new FrontendCodec(FrontendInitializer.decoderConfig(settings)),
                new Tap(),
                new FrontendHandler(control.live(), origins, "http", timeouts,
                        dev.bascule.stats.ListenerStats.detached("embedded")));
        client.pipeline().fireChannelActive(); // the handler came after the channel went active: start it as accepted
    }

    /** The client sends {@code bytes}. */
    void send(String bytes) {
        client.writeInbound(Unpooled.copiedBuffer(bytes, US_ASCII));
    }

    /** Everything written to the client since the last call. */
    String response() {
        StringBuilder out = new StringBuilder();
        for (Object m; (m = client.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) m;
            out.append(b.toString(US_ASCII));
            b.release();
        }
        return out.toString();
    }

    /** Moves time for everyone and runs the timers that came due, the client's and every origin's. */
    void advance(long millis) {
        ticker.advance(millis, TimeUnit.MILLISECONDS);
        client.runScheduledPendingTasks();
        client.runPendingTasks();
        for (EmbeddedOrigins.Origin o : List.copyOf(origins.opened())) { // a timer may open another
            o.runDueTimers();
        }
    }

    /** The server {@code address} of upstream {@code pool} in the live snapshot. */
    Server server(String pool, String address) {
        for (Server s : control.live().get().pools().get(pool).members()) {
            if (s.address().equals(address)) {
                return s;
            }
        }
        throw new IllegalArgumentException(pool + " has no " + address);
    }

    static InetSocketAddress address(String hostPort) throws UnknownHostException {
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(InetAddress.getByName(hostPort.substring(0, colon)),
                Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /** Finishes every channel; true when one still held a message nobody read. */
    boolean finishAndReleaseAll() {
        boolean left = client.finishAndReleaseAll();
        for (EmbeddedOrigins.Origin o : origins.opened()) {
            left |= o.channel().finishAndReleaseAll();
        }
        return left;
    }

    @Override
    public void close() {
        control.close();
    }

    /** An embedded client connection whose peer is an IP address, as an accepted TCP connection's is. */
    static final class ClientChannel extends EmbeddedChannel {
        private final InetSocketAddress peer;

        ClientChannel(Ticker ticker, InetSocketAddress peer) {
            super(EmbeddedChannel.builder().ticker(ticker));
            this.peer = peer;
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return isActive() ? peer : null;
        }
    }

    /** Stands for the socket: counts the reads asked of it, and can hold flushes like a client that reads nothing. */
    static final class Socket extends ChannelOutboundHandlerAdapter {
        int reads;
        boolean holdFlushes;

        @Override
        public void read(ChannelHandlerContext ctx) {
            reads++;
            ctx.read();
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            if (!holdFlushes) {
                ctx.flush();
            }
        }
    }

    /** Records each message the codec hands the frontend handler, and passes it on untouched. */
    private final class Tap extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest r) {
                handed.add(r.method() + " " + r.uri());
            } else if (msg instanceof LastHttpContent c) {
                handed.add("last " + c.content().toString(US_ASCII));
            } else if (msg instanceof HttpContent c) {
                handed.add("content " + c.content().toString(US_ASCII));
            }
            ctx.fireChannelRead(msg);
        }
    }
}
