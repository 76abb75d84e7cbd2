package dev.bascule.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.balance.Balancers;
import dev.bascule.route.Route;
import dev.bascule.stats.MirrorStats;
import dev.bascule.stats.StatsRegistry;
import dev.bascule.upstream.ServerRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Which requests a mirror copies (exact over each cycle, on any number of threads) and its in-flight cap. */
class MirrorShareTest {

    private static List<Long> chosenAmongFirst(int n, int perMillion) {
        List<Long> chosen = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            if (Mirror.chosen(i, perMillion)) {
                chosen.add(i);
            }
        }
        return chosen;
    }

    @Test
    void tenPercentIsExactlyEveryTenthRequest() {
        assertThat(chosenAmongFirst(50, 100_000)).containsExactly(9L, 19L, 29L, 39L, 49L);
        assertThat(chosenAmongFirst(1000, 100_000)).hasSize(100);
    }

    @Test
    void everyShareIsExactOverItsCycleAndSpreadEvenly() {
        assertThat(chosenAmongFirst(100, 330_000)).hasSize(33);
        List<Long> third = chosenAmongFirst(100, 330_000);
        for (int i = 1; i < third.size(); i++) {
            assertThat(third.get(i) - third.get(i - 1)).as("gaps of 3 or 4, never a burst").isBetween(3L, 4L);
        }
        assertThat(chosenAmongFirst(200, 5_000)).as("0.5%").containsExactly(199L);
        assertThat(chosenAmongFirst(2000, 5_000)).hasSize(10);
        assertThat(chosenAmongFirst(1000, 1_000_000)).as("100%").hasSize(1000);
        assertThat(chosenAmongFirst(1_000_000, 1)).as("0.0001%: one in a million").containsExactly(999_999L);
        assertThat(Mirror.chosen(1_000_000L + 9, 100_000)).as("the cycle goes on past a million").isTrue();
    }

    @Test
    void theShareIsExactWhenManyEventLoopsDrawAtOnce() throws Exception {
        Mirror mirror = new Mirror(null, 100_000, 100, new MirrorStats());
        AtomicInteger chosen = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 25_000; i++) {
                    if (mirror.choose()) {
                        chosen.incrementAndGet();
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(chosen.get()).isEqualTo(10_000);
    }

    @Test
    void noMoreThanMaxInFlightCopiesAreOut() {
        Mirror mirror = new Mirror(null, 1_000_000, 2, new MirrorStats());
        assertThat(mirror.tryStart()).isTrue();
        assertThat(mirror.tryStart()).isTrue();
        assertThat(mirror.tryStart()).isFalse();
        assertThat(mirror.stats().inFlight()).isEqualTo(2);
        mirror.stats().ended();
        assertThat(mirror.tryStart()).isTrue();
        assertThat(mirror.percentText()).isEqualTo("100");
    }

    @Test
    void theCycleAndTheCopiesOutSurviveANewSnapshot() throws Exception {
        LoadedConfig loaded = Fixtures.loaded(Fixtures.config("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams:
                  blue: { servers: [ { address: 127.0.0.1:9001 } ] }
                  green: { servers: [ { address: 127.0.0.1:9002 } ] }
                routes:
                  - { name: api, upstream: blue, mirror: { upstream: green, percent: 12.5, max_in_flight: 7 } }
                  - { upstream: green }
                """), 1);
        ServerRegistry registry = new ServerRegistry();
        Membership membership = Fixtures.membership(loaded.config(), registry, 0);
        SnapshotBuilder builder = new SnapshotBuilder(registry, new StatsRegistry(), Balancers.standard(), () -> 0);
        Snapshot first = builder.build(loaded, membership.pools(), null, 0, ExchangeEvents.NONE);
        Snapshot second = builder.build(loaded, membership.pools(), first, 0, ExchangeEvents.NONE);

        List<Route<RouteAction>> routes = second.routes().routes();
        Mirror m = routes.get(0).target().mirror();
        assertThat(m.pool()).isSameAs(second.pools().get("green"));
        assertThat(m.perMillion()).isEqualTo(125_000);
        assertThat(m.maxInFlight()).isEqualTo(7);
        assertThat(m.stats()).isSameAs(first.routes().routes().get(0).target().mirror().stats());
        assertThat(routes.get(1).target().mirror()).isNull();
        assertThat(m).hasToString("12.5% to green");
    }
}
