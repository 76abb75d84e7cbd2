package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.LoadLoop;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.TestOrigin;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An origin killed under load is ejected by the failures real traffic meets; once it is back, its first passing
 * active probe ends that ejection, so it gets traffic again within two probe intervals instead of waiting out
 * the ejection (10 s here).
 */
@ExtendWith(LeakGuard.class)
class RestartedOriginTest {
    private static final String GET = "GET / HTTP/1.1\r\nHost: app.test\r\n\r\n";
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private TestOrigin a;
    private TestOrigin b;
    private ProxyUnderTest proxy;

    @BeforeEach
    void start() throws Exception {
        a = TestOrigin.start("a");
        b = TestOrigin.start("b");
        proxy = ProxyUnderTest.start("""
                listeners: [ { address: 127.0.0.1:0 } ]
                timeouts: { connect: 500ms, response_header: 5s }
                upstreams:
                  app:
                    servers: [ { address: %s }, { address: %s } ]
                    health_check: { path: /, interval: %dms, timeout: 500ms }
                    passive: { consecutive_failures: 3, base_ejection: 10s }
                routes: [ { upstream: app } ]
                """.formatted(a.address(), b.address(), INTERVAL.toMillis()), 2);
    }

    @AfterEach
    void stop() {
        proxy.close();
        a.close();
        b.close();
    }

    @Test
    void aRestartedOriginIsBackWithinTwoProbeIntervals() throws Exception {
        int port = b.port();
        try (LoadLoop load = new LoadLoop(proxy.address(), GET, 4, 500_000)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> load.okFrom("b") > 100);
            b.close(); // its listener and every open connection, mid-traffic
            await().atMost(Duration.ofSeconds(5)).until(() -> state(port).equals("ejected"));
            int fromBBefore = load.okFrom("b");

            b = TestOrigin.startOn("b", port);
            long restarted = System.nanoTime();
            await().atMost(Duration.ofSeconds(8)).until(() -> load.okFrom("b") > fromBBefore);
            Duration back = Duration.ofNanos(System.nanoTime() - restarted);
            load.close();

            assertThat(back).as("traffic again within two probe intervals").isLessThan(INTERVAL.multipliedBy(2));
            assertThat(load.failures()).as("the retries hid the kill from every client").isEmpty();
            assertThat(state(port)).isEqualTo("healthy");
        }
    }

    private String state(int port) throws Exception {
        return proxy.bascule().control().status().get().upstreams().get("app").servers().stream()
                .filter(s -> s.address().endsWith(":" + port)).findFirst().orElseThrow().state();
    }
}
