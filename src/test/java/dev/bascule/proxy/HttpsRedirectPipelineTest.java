package dev.bascule.proxy;

import dev.bascule.balance.Balancers;
import dev.bascule.config.ConfigLoader;
import dev.bascule.control.ControlPlane;
import dev.bascule.control.Resolver;
import dev.bascule.stats.ListenerStats;
import java.time.Clock;
import java.util.concurrent.Executors;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.testing.LeakGuard;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A plain listener with {@code redirect_https}, as FrontendInitializer builds it (timers, codec, redirect
 * handler), in an {@link EmbeddedChannel} fed raw bytes. {@link HttpsRedirectHandlerTest} covers the Location
 * rules; this covers what goes over the connection: status, headers, keep-alive, closing, read pacing.
 */
@ExtendWith(LeakGuard.class)
class HttpsRedirectPipelineTest {
    private static final long HEADER_MS = 1_000;
    private static final long IDLE_MS = 5_000;

    private EmbeddedChannel ch;
    private final ReadGate socket = new ReadGate();
    private ControlPlane control;

    @BeforeEach
    void open() throws Exception {
        control = ControlPlane.start(new ConfigLoader(Balancers.standard().names()).parse("""
                listeners: [ { address: 127.0.0.1:0, redirect_https: true } ]
                upstreams: { web: { servers: [ { address: 127.0.0.1:9 } ] } }
                routes: [ { upstream: web } ]
                """, "t.yaml"), Balancers.standard(), Resolver.SYSTEM, Clock.systemUTC(), System::nanoTime,
                Executors.newSingleThreadScheduledExecutor());
        ch = new EmbeddedChannel();
        ch.config().setAutoRead(false); // as FrontendServer's child channels
        ch.freezeTime();
        ClientTimeouts timeouts = new ClientTimeouts(ClientTimeoutsTest.limits(HEADER_MS, 500, IDLE_MS));
        // the codec as strict as FrontendInitializer's (RFC 9112)
        HttpDecoderConfig strict = new HttpDecoderConfig().setValidateHeaders(true).setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true).setAllowDuplicateContentLengths(false);
        ch.pipeline().addLast(socket, timeouts, new FrontendCodec(strict), new HttpsRedirectHandler(timeouts, control.live(),
                ListenerStats.detached("plain")));
        // the channel was active before the handler came: start it as an accepted connection starts
        ch.pipeline().fireChannelActive();
    }

    @AfterEach
    void close() {
        assertThat(ch.finishAndReleaseAll()).isFalse();
        control.close();
    }

    private String exchange(String request) {
        ch.writeInbound(Unpooled.copiedBuffer(request, US_ASCII));
        return response();
    }

    private String response() {
        StringBuilder out = new StringBuilder();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            out.append(b.toString(US_ASCII));
            b.release();
        }
        return out.toString();
    }

    @Test
    void answers308ToTheHttpsUrlAndKeepsTheConnection() {
        String r = exchange("GET /x?y=1 HTTP/1.1\r\nHost: a.test:8080\r\n\r\n");

        assertThat(r).startsWith("HTTP/1.1 308 Permanent Redirect\r\n")
                .containsIgnoringCase("location: https://a.test/x?y=1\r\n")
                .containsIgnoringCase("content-length: 0\r\n")
                .doesNotContainIgnoringCase("connection:");
        assertThat(ch.isActive()).isTrue();

        String second = exchange("DELETE /z HTTP/1.1\r\nHost: [2001:db8::1]\r\n\r\n");
        assertThat(second).startsWith("HTTP/1.1 308 ").containsIgnoringCase("location: https://[2001:db8::1]/z\r\n");
        assertThat(ch.isActive()).isTrue();
    }

    @Test
    void http10KeepsTheConnectionOnlyWhenAsked() {
        String kept = exchange("GET / HTTP/1.0\r\nHost: a.test\r\nConnection: keep-alive\r\n\r\n");
        assertThat(kept).startsWith("HTTP/1.1 308 ").containsIgnoringCase("connection: keep-alive\r\n");
        assertThat(ch.isActive()).isTrue();

        String closed = exchange("GET / HTTP/1.0\r\nHost: a.test\r\n\r\n");
        assertThat(closed).startsWith("HTTP/1.1 308 ").containsIgnoringCase("connection: close\r\n");
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void requestWithABodyIsAnsweredAtOnceAndTheConnectionClosed() {
        // the body is never read: closing is cheaper than draining it
        String r = exchange("POST /form HTTP/1.1\r\nHost: a.test\r\nContent-Length: 5\r\n\r\n");

        assertThat(r).startsWith("HTTP/1.1 308 ").containsIgnoringCase("location: https://a.test/form\r\n")
                .containsIgnoringCase("connection: close\r\n");
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void hostThatCouldSteerTheRedirectGets400() {
        String r = exchange("GET / HTTP/1.1\r\nHost: u@evil.test\r\n\r\n");

        assertThat(r).startsWith("HTTP/1.1 400 ").doesNotContainIgnoringCase("location:");
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void targetThatIsNotAPathGets400() {
        String r = exchange("GET http://b.test/ HTTP/1.1\r\nHost: a.test\r\n\r\n");

        assertThat(r).startsWith("HTTP/1.1 400 ").doesNotContainIgnoringCase("location:");
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void malformedRequestIsRefusedAndClosed() {
        String r = exchange("GET / HTTP/1.1\nHost: a.test\n\n"); // bare LF: RFC 9112 2.2 lets a server refuse

        assertThat(r).startsWith("HTTP/1.1 400 ");
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void nextReadIsAskedForOnlyWhileTheClientTakesTheResponses() {
        assertThat(socket.reads).as("the connection's first read").isEqualTo(1);
        assertThat(exchange("GET /1 HTTP/1.1\r\nHost: a.test\r\n\r\n")).contains("location: https://a.test/1\r\n");
        assertThat(socket.reads).isEqualTo(2);

        // a client that reads nothing: the redirect stays in the outbound buffer, above the high water mark
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        socket.holdFlushes = true;
        ch.writeInbound(Unpooled.copiedBuffer("GET /2 HTTP/1.1\r\nHost: a.test\r\n\r\n", US_ASCII));
        assertThat(ch.isWritable()).isFalse();
        assertThat(socket.reads).as("no read while the client does not take its redirects").isEqualTo(2);

        socket.holdFlushes = false;
        ch.flush();

        assertThat(ch.isWritable()).isTrue();
        assertThat(socket.reads).as("the owed read, once writable again").isEqualTo(3);
        assertThat(response()).as("the held redirect, now flushed").contains("location: https://a.test/2\r\n");
    }

    @Test
    void idleKeepAliveConnectionIsClosed() {
        exchange("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n");

        ch.advanceTimeBy(IDLE_MS, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();

        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void headThatDoesNotArriveInTimeClosesTheConnection() {
        ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a.te", US_ASCII));

        ch.advanceTimeBy(HEADER_MS, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();

        assertThat(ch.isActive()).isFalse();
        assertThat(response()).as("closed without an answer").isEmpty();
    }

    /** Stands for the socket: counts the reads asked of it, and can hold flushes like a client that reads nothing. */
    private static final class ReadGate extends ChannelOutboundHandlerAdapter {
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
}
