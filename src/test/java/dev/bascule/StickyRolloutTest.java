package dev.bascule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bascule.testing.AdminClient;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestOrigin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Sticky sides under a rollout: 2,000 distinct clients, each with its own {@code bascule_release} cookie, while a
 * rollout started through the admin API moves a sticky split from blue to green by the steps 10, 50 and 100. The
 * test pauses the rollout on each step, sends every client once over real sockets to real origins, checks the
 * step's share and that no client went back from green to blue, then resumes it, so every step sees every client.
 */
@ExtendWith(LeakGuard.class)
class StickyRolloutTest {
    private static final int CLIENTS = 2_000;
    private static final int CONNECTIONS = 4;
    /** A step's share of clients may differ from its weight by this many percentage points. */
    private static final double TOLERANCE_POINTS = 5;
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private TestOrigin blue;
    private TestOrigin green;
    private ProxyUnderTest proxy;
    private AdminClient admin;
    private ExecutorService clients;

    @BeforeEach
    void start() throws Exception {
        blue = TestOrigin.start("blue");
        green = TestOrigin.start("green");
        proxy = ProxyUnderTest.start("""
                listeners: [ { name: public, address: 127.0.0.1:0 } ]
                admin: { address: 127.0.0.2:0 }
                upstreams:
                  web-blue: { servers: [ { address: %s } ] }
                  web-green: { servers: [ { address: %s } ] }
                routes:
                  - name: app
                    match: { host: labs.test }
                    split: [ { upstream: web-blue, weight: 100 }, { upstream: web-green, weight: 0 } ]
                    sticky: { key: cookie:bascule_release }
                """.formatted(blue.address(), green.address()), 2);
        admin = new AdminClient(proxy.bascule().adminAddress());
        clients = Executors.newFixedThreadPool(CONNECTIONS);
    }

    @AfterEach
    void stop() throws Exception {
        clients.shutdownNow();
        clients.awaitTermination(10, TimeUnit.SECONDS);
        proxy.close();
        blue.close();
        green.close();
    }

    /** Cookie values as Bascule gives them (32 hex digits), from a fixed seed, all distinct. */
    private static List<String> cookies() {
        SplittableRandom random = new SplittableRandom(20_260_314);
        List<String> values = new ArrayList<>(CLIENTS);
        while (values.size() < CLIENTS) {
            String v = String.format("%016x%016x", random.nextLong(), random.nextLong());
            if (!values.contains(v)) {
                values.add(v);
            }
        }
        return values;
    }

    /** Sends each client's request once, over {@link #CONNECTIONS} keep-alive connections; each client's side. */
    private boolean[] sendEveryClient(List<String> cookies) throws Exception {
        boolean[] onGreen = new boolean[cookies.size()];
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < CONNECTIONS; c++) {
            int first = c;
            done.add(clients.submit(() -> {
                try (RawHttp conn = proxy.raw()) {
                    for (int i = first; i < cookies.size(); i += CONNECTIONS) {
                        RawHttp.Response r = conn.exchange("GET /?client=" + i + " HTTP/1.1\r\nHost: labs.test\r\n"
                                + "Cookie: theme=dark; bascule_release=" + cookies.get(i) + "\r\n\r\n");
                        assertThat(r.status()).isEqualTo(200);
                        assertThat(r.header("set-cookie")).as("a client with the cookie keeps it").isNull();
                        onGreen[i] = "green".equals(r.header("x-origin"));
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        return onGreen;
    }

    private JsonNode rollout() throws Exception {
        return admin.get("/routes/app").json().get("rollout");
    }

    private AdminClient.Answer post(String path, String body) throws Exception {
        return admin.send("POST", path, body);
    }

    @Test
    void twoThousandClientsFollowARolloutStepByStepAndNoneGoesBackToBlue() throws Exception {
        List<String> cookies = cookies();
        boolean[] before = sendEveryClient(cookies);
        int onGreenAtZero = count(before);
        assertThat(onGreenAtZero).as("green at 0%").isZero();

        AdminClient.Answer started = post("/routes/app/rollout", "{\"to\": \"web-green\", \"steps\": [10, 50, 100],"
                + " \"step_interval\": \"1s\", \"guard\": {\"max_error_rate\": 0.01, \"max_p99_ratio\": 1000,"
                + " \"min_requests\": 20}}");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        // No request has reached green in this step, so it cannot end before the pause (min_requests).
        assertThat(post("/routes/app/rollout/pause", null).status()).isEqualTo(200);

        int[] weights = {10, 50, 100};
        List<Integer> shares = new ArrayList<>();
        for (int step = 0; step < weights.length; step++) {
            JsonNode r = rollout();
            assertThat(r.get("phase").asText()).isEqualTo("paused");
            assertThat(r.get("step").asInt()).isEqualTo(step + 1);
            assertThat(r.get("share").asInt()).isEqualTo(weights[step]);

            boolean[] now = sendEveryClient(cookies);
            for (int i = 0; i < CLIENTS; i++) {
                if (before[i]) {
                    assertThat(now[i]).as("client %d was on green at the step before: it stays there", i).isTrue();
                }
            }
            double share = 100.0 * count(now) / CLIENTS;
            shares.add(count(now));
            assertThat(share).as("share of clients on green at step %d (weight %d)", step + 1, weights[step])
                    .isBetween(weights[step] - TOLERANCE_POINTS, weights[step] + TOLERANCE_POINTS);
            before = now;

            assertThat(post("/routes/app/rollout/resume", null).status()).isEqualTo(200);
            if (step + 1 < weights.length) {
                int next = step + 2;
                // The step has its requests (every client, about weights[step]% of them on green); once its
                // second has run, the next step starts, and cannot end before this pause: nobody sends meanwhile.
                await().atMost(DEADLINE).pollInterval(Duration.ofMillis(20))
                        .until(() -> rollout().get("step").asInt() == next);
                assertThat(post("/routes/app/rollout/pause", null).status()).isEqualTo(200);
            }
        }
        await().atMost(DEADLINE).until(() -> "done".equals(rollout().get("phase").asText()));
        assertThat(rollout().get("reason").asText()).isEqualTo("done");
        assertThat(count(before)).as("everyone on green at 100%").isEqualTo(CLIENTS);
        assertThat(shares.get(0)).isLessThan(shares.get(1));
        assertThat(blue.requests() + green.requests()).isEqualTo(4 * CLIENTS);
    }

    private static int count(boolean[] onGreen) {
        int n = 0;
        for (boolean g : onGreen) {
            n += g ? 1 : 0;
        }
        return n;
    }
}
