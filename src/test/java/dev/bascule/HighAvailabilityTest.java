package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ConfigError;
import dev.bascule.config.ConfigException;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.LoadLoop;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestOrigin;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Clients never notice a server going down, being ejected, added, drained or the config being reloaded: real
 * origins, real sockets, load from several concurrent client loops.
 */
@ExtendWith(LeakGuard.class)
class HighAvailabilityTest {
    private static final String GET = "GET / HTTP/1.1\r\nHost: app.test\r\n\r\n";
    private TestOrigin a;
    private TestOrigin b;
    private TestOrigin c;
    private ProxyUnderTest proxy;

    static String config(String balancer, TestOrigin... origins) {
        StringBuilder servers = new StringBuilder();
        for (TestOrigin o : origins) {
            servers.append("      - address: ").append(o.address()).append('\n');
        }
        return """
                listeners: [ { address: 127.0.0.1:0 } ]
                timeouts: { connect: 500ms, response_header: 5s }
                upstreams:
                  app:
                    balancer: %s
                    servers:
                %s
                routes: [ { upstream: app } ]
                """.formatted(balancer, servers);
    }

    @BeforeEach
    void start() throws Exception {
        a = TestOrigin.start("a");
        b = TestOrigin.start("b");
        c = TestOrigin.start("c");
        proxy = ProxyUnderTest.start(config("round_robin", a, b, c), 2);
    }

    @AfterEach
    void stop() {
        proxy.close();
        a.close();
        b.close();
        c.close();
    }

    @Test
    void killingAnOriginUnderLoadFailsNoRequest() throws Exception {
        try (LoadLoop load = new LoadLoop(proxy.address(), GET, 4, 200_000)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> load.okFrom("b") > 200);
            b.close(); // its listener and every open connection, mid-traffic
            int okAtKill = load.ok();
            await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() > okAtKill + 2000);
            load.close();
            assertThat(load.failures()).isEmpty();
            assertThat(load.okFrom("a") + load.okFrom("c")).isGreaterThan(2000);
        }
        assertThat(status("b")).isEqualTo("ejected");
    }

    @Test
    void originAnswering500IsEjectedAndTrafficShifts() throws Exception {
        c.failWith(500);
        int errors = 0;
        try (RawHttp client = proxy.raw()) {
            for (int i = 0; i < 15; i++) { // round robin: c gets every third request, 5 in all
                if (client.exchange(GET).status() == 500) {
                    errors++;
                }
            }
            assertThat(errors).isEqualTo(5);
            // The ejection is published by the control thread, so a request already on its way may still
            // reach the server; after that it is out.
            await().atMost(Duration.ofSeconds(5)).until(() -> status("c").equals("ejected"));
            int reached = c.requests();
            for (int i = 0; i < 30; i++) {
                assertThat(client.exchange(GET).status()).isEqualTo(200);
            }
            assertThat(c.requests()).isEqualTo(reached);
        }
    }

    @Test
    void addedServerReceivesTrafficWithinOneSecond() throws Exception {
        try (TestOrigin d = TestOrigin.start("d"); LoadLoop load = new LoadLoop(proxy.address(), GET, 2, 200_000)) {
            proxy.bascule().control().addServer("app", d.address(), 1).get(5, TimeUnit.SECONDS);
            long added = System.nanoTime();
            await().atMost(Duration.ofSeconds(1)).until(() -> load.okFrom("d") > 0);
            assertThat(System.nanoTime() - added).isLessThan(TimeUnit.SECONDS.toNanos(1));
            load.close();
            assertThat(load.failures()).isEmpty();
        }
    }

    @Test
    void drainedServerFinishesItsStreamAndGetsNothingNew() throws Exception {
        try (RawHttp streaming = proxy.raw()) {
            streaming.send("GET /slow-stream?ms=5000&chunks=10 HTTP/1.1\r\nHost: app.test\r\n\r\n");
            CompletableFuture<RawHttp.Response> body = CompletableFuture.supplyAsync(() -> {
                try {
                    return streaming.read(false);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            // the stream's origin is the one that recorded a /slow-stream request
            TestOrigin serving = await().atMost(Duration.ofSeconds(5)).until(
                    () -> List.of(a, b, c).stream().filter(o -> o.recorded().stream()
                            .anyMatch(r -> r.uri().startsWith("/slow-stream"))).findFirst().orElse(null),
                    o -> o != null);
            proxy.bascule().control().drain("app", serving.address(), true).get(5, TimeUnit.SECONDS);
            int before = serving.requests();
            try (LoadLoop load = new LoadLoop(proxy.address(), GET, 2, 200)) {
                load.close();
                assertThat(load.failures()).isEmpty();
            }
            assertThat(serving.requests()).as("no new request reaches a draining server").isEqualTo(before);
            RawHttp.Response r = body.get(15, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText().lines().count()).isEqualTo(10);
            assertThat(status(serving.name())).isEqualTo("draining");
        }
    }

    @Test
    void removedServerDrainsThenLeaves() throws Exception {
        proxy.bascule().control().removeServer("app", a.address()).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() ->
                proxy.bascule().control().status().get().upstreams().get("app").servers().size() == 2);
        int before = a.requests();
        for (int i = 0; i < 10; i++) {
            assertThat(proxy.get("app.test", "/").statusCode()).isEqualTo(200);
        }
        assertThat(a.requests()).isEqualTo(before);
    }

    @Test
    void reloadUnderLoadFailsNoRequestAndABadOneChangesNothing() throws Exception {
        try (TestOrigin d = TestOrigin.start("d");
                LoadLoop load = new LoadLoop(proxy.address(), GET, 4, 200_000)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() > 500);
            String[] configs = {
                config("least_conn", a, b, d), config("random_two", d, c), config("round_robin", a, b, c, d)
            };
            long version = 1;
            for (String yaml : configs) {
                BasculeConfig next = ProxyUnderTest.parse(yaml); // same listener: it stays open
                version = proxy.bascule().control().reload(next).get(10, TimeUnit.SECONDS);
                int okNow = load.ok();
                await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() > okNow + 300);
            }
            assertThat(version).isEqualTo(4);
            assertThat(load.okFrom("d")).isPositive();

            CompletableFuture<Long> bad = proxy.bascule().control().reload(() -> {
                throw new ConfigException(List.of(new ConfigError("test.yaml", 12, 5, "unknown upstream 'web-red'")));
            });
            assertThat(bad).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(ConfigException.class);
            assertThat(proxy.bascule().control().status().get().config().version()).isEqualTo(4);
            load.close();
            assertThat(load.failures()).isEmpty();
        }
    }

    @Test
    void restartedOriginGetsTrafficWithinTwoHealthCheckIntervals() throws Exception {
        proxy.close();
        proxy = ProxyUnderTest.start(config("round_robin", a, b, c).replace("    servers:",
                "    health_check: { path: /health, interval: 200ms, timeout: 100ms, unhealthy_threshold: 1,"
                        + " healthy_threshold: 1 }\n    servers:"), 2);
        int port = b.port();
        b.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> status("b").equals("unhealthy"));
        b = TestOrigin.startOn("b", port);
        long restarted = System.nanoTime();
        try (LoadLoop load = new LoadLoop(proxy.address(), GET, 2, 200_000)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> load.okFrom("b") > 0);
            assertThat(System.nanoTime() - restarted).as("within two intervals (plus scheduling slack)")
                    .isLessThan(TimeUnit.MILLISECONDS.toNanos(400 + 600));
            load.close();
            assertThat(load.failures()).isEmpty();
        }
    }

    @Test
    void whenAllDownFailOpenSpreadsAndRejectAnswers503() throws Exception {
        proxy.close();
        String checks = "    health_check: { path: \"/status?code=503\", interval: 100ms, timeout: 100ms,"
                + " unhealthy_threshold: 1 }\n";
        proxy = ProxyUnderTest.start(config("round_robin", a, b).replace("    servers:", checks + "    servers:"), 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> status("a").equals("unhealthy")
                && status("b").equals("unhealthy"));
        assertThat(proxy.get("app.test", "/").statusCode()).as("fail_open: panic mode").isEqualTo(200);
        proxy.close();
        proxy = ProxyUnderTest.start(config("round_robin", a, b).replace("    servers:",
                checks + "    when_all_down: reject\n    servers:"), 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> status("a").equals("unhealthy")
                && status("b").equals("unhealthy"));
        java.net.http.HttpResponse<String> r = proxy.get("app.test", "/");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("retry-after")).hasValue("5");
    }

    private String status(String originName) throws Exception {
        TestOrigin o = switch (originName) {
            case "a" -> a;
            case "b" -> b;
            default -> c;
        };
        return proxy.bascule().control().status().get().upstreams().get("app").servers().stream()
                .filter(s -> s.address().equals(o.address())).findFirst().orElseThrow().state();
    }
}
