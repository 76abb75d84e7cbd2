package dev.bascule.health;

import static dev.bascule.health.HealthFixture.check;
import static dev.bascule.health.HealthFixture.withCheck;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.config.HealthCheckConfig;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.TestOrigin;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** One probe against real servers: what it sends, and the reason it gives for each kind of failure. */
@ExtendWith(LeakGuard.class)
class ProbeOnceTest {
    private TestOrigin origin;
    private HealthFixture f;
    private ProbeTarget target;

    @BeforeEach
    void start() throws Exception {
        origin = TestOrigin.start("a");
        f = HealthFixture.start(HealthFixture.yaml("path: /health, interval: 1h, timeout: 5s", origin.address()));
        target = f.target(origin.address());
    }

    @AfterEach
    void stop() {
        f.close();
        origin.close();
    }

    private ProbeResult probe(ProbeTarget t) throws Exception {
        return f.checker.probeOnce(t).get(10, TimeUnit.SECONDS);
    }

    private ProbeResult probe(String path) throws Exception {
        return probe(withCheck(target, check(path, Duration.ofSeconds(5), 2, 3)));
    }

    @Test
    void passesOn200AndSendsAClosingGetWithHostAndUserAgent() throws Exception {
        assertThat(probe(target)).isEqualTo(new ProbeResult(true, null));

        TestOrigin.Recorded r = origin.recorded().get(0);
        assertThat(r.method()).isEqualTo("GET");
        assertThat(r.uri()).isEqualTo("/health");
        assertThat(r.headers().get("host")).isEqualTo(origin.address());
        assertThat(r.headers().get("user-agent")).isEqualTo("bascule-health");
        assertThat(r.headers().get("connection")).isEqualTo("close");
    }

    @Test
    void sendsTheConfiguredHostHeader() throws Exception {
        HealthCheckConfig c = target.check();
        ProbeTarget t = withCheck(target, new HealthCheckConfig(c.path(), c.interval(), c.timeout(),
                c.expectStatusMin(), c.expectStatusMax(), c.healthyThreshold(), c.unhealthyThreshold(),
                "health.web.internal"));
        assertThat(probe(t).passed()).isTrue();
        assertThat(origin.recorded().get(0).headers().get("host")).isEqualTo("health.web.internal");
    }

    @Test
    void aTcpCheckPassesOnConnectAndSendsNothing() throws Exception {
        HealthCheckConfig c = target.check();
        ProbeTarget tcp = withCheck(target, new HealthCheckConfig(c.path(), c.interval(), c.timeout(),
                c.expectStatusMin(), c.expectStatusMax(), c.healthyThreshold(), c.unhealthyThreshold(), null,
                HealthCheckConfig.Type.TCP, null));
        assertThat(probe(tcp)).isEqualTo(ProbeResult.pass());
        assertThat(origin.recorded()).as("nothing was sent").isEmpty();
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort(); // free once closed, and nobody listens there
        }
        ProbeTarget nobody = new ProbeTarget(tcp.upstream(), "127.0.0.1:" + closedPort,
                new InetSocketAddress("127.0.0.1", closedPort), tcp.check(), false);
        assertThat(probe(nobody)).isEqualTo(ProbeResult.fail("connect refused"));
    }

    @Test
    void failsWithStatusOutsideTheExpectedRange() throws Exception {
        assertThat(probe("/status?code=500")).isEqualTo(ProbeResult.fail("status 500"));
        assertThat(probe("/status?code=404")).isEqualTo(ProbeResult.fail("status 404"));
        assertThat(probe("/status?code=204").passed()).isTrue();
        assertThat(probe("/status?code=302").passed()).isTrue();

        ProbeTarget only200 = withCheck(target, new HealthCheckConfig("/status?code=204", Duration.ofHours(1),
                Duration.ofSeconds(5), 200, 200, 2, 3, null));
        assertThat(probe(only200)).isEqualTo(ProbeResult.fail("status 204"));
    }

    @Test
    void failsWhenTheConnectionIsRefused() throws Exception {
        origin.close();
        ProbeResult result = probe(target);
        assertThat(result.passed()).isFalse();
        // Usually a refused connect; sometimes the kernel hands the probe's own socket the freed port as its local
        // port and the connect "succeeds" onto itself (a TCP self-connect), which then fails on read or write.
        assertThat(result.problem()).matches("connect refused|(read|write) failed: .*reset.*");
    }

    @Test
    void failsWhenTheResponseIsLaterThanTheTimeout() throws Exception {
        // A first probe loads the classes, so the connect of the second one fits in 200 ms on a busy machine.
        assertThat(probe(target).passed()).isTrue();
        ProbeTarget slow = withCheck(target, check("/delay?ms=2000", Duration.ofMillis(200), 2, 3));
        // The origin answers 200 after 2 s: this result can only come from the deadline.
        assertThat(probe(slow)).isEqualTo(ProbeResult.fail("timeout after 200 ms"));
    }

    @Test
    void failsOnAMalformedResponse() throws Exception {
        assertThat(probe(fakeOrigin("NOT HTTP AT ALL\r\n\r\n"))).isEqualTo(ProbeResult.fail("malformed response"));
    }

    @Test
    void failsWhenTheServerClosesWithoutAnswering() throws Exception {
        assertThat(probe(fakeOrigin(""))).isEqualTo(ProbeResult.fail("connection closed before a response"));
    }

    @Test
    void failsWhenTheServerClosesMidResponse() throws Exception {
        ProbeTarget t = fakeOrigin("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nshort");
        assertThat(probe(t)).isEqualTo(ProbeResult.fail("connection closed mid-response"));
    }

    @Test
    void skipsAnInterimResponse() throws Exception {
        ProbeTarget t = fakeOrigin("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
        assertThat(probe(t)).isEqualTo(ProbeResult.pass());
    }

    /** A server on the fixture's loop that answers each connection's first read with {@code bytes}, then closes. */
    private ProbeTarget fakeOrigin(String bytes) throws Exception {
        Channel server = new ServerBootstrap()
                .group(f.group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    // Answers once the request is in, so closing leaves nothing unread (which would reset).
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ReferenceCountUtil.release(msg);
                        ctx.writeAndFlush(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1))
                                .addListener(ChannelFutureListener.CLOSE);
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        InetSocketAddress a = (InetSocketAddress) server.localAddress();
        return new ProbeTarget(HealthFixture.UPSTREAM, "127.0.0.1:" + a.getPort(), a, target.check(), false);
    }
}
