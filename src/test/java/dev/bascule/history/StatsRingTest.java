package dev.bascule.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.bascule.stats.LatencyHistogram;
import dev.bascule.stats.RouteSeries;
import dev.bascule.stats.ServerStats;
import dev.bascule.stats.StatsRegistry;
import dev.bascule.stats.StatusCounts;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ring driven by hand: recorders written directly, a fake monotonic clock and wall clock moved a second at a
 * time, so every rate and quantile is an exact number.
 */
class StatsRingTest {
    private static final long START_MILLIS = 1_767_225_600_000L;
    private static final double[] BOUNDS = LatencyHistogram.boundsSeconds();
    private static final float EXACT = 1e-4f;

    private final AtomicLong nanos = new AtomicLong(7_000_000_000L);
    private final AtomicLong wall = new AtomicLong(START_MILLIS);
    private final StatsRegistry registry = new StatsRegistry();
    private RouteSeries blue;
    private RouteSeries blueApi;
    private RouteSeries green;
    private RouteSeries unrouted;
    private final ServerStats blue1 = new ServerStats();
    private final ServerStats blue2 = new ServerStats();
    private final ServerStats green1 = new ServerStats();

    @BeforeEach
    void series() {
        registry.listener("public");
        registry.listener("internal");
        List<String> listeners = List.of("public", "internal");
        blue = registry.series("blue.labs.test", "web-blue", listeners);
        blueApi = registry.series("labs.test/api", "web-blue", listeners);
        green = registry.series("/green", "web-green", listeners);
        unrouted = registry.series("", "", listeners);
    }

    private Recorders recorders() {
        return new Recorders(List.of("web-blue", "web-green"), List.of(blue, blueApi, green, unrouted), List.of(
                new Recorders.ServerRecorder("web-blue", "127.0.0.1:9001", blue1),
                new Recorders.ServerRecorder("web-blue", "127.0.0.1:9002", blue2),
                new Recorders.ServerRecorder("web-green", "127.0.0.1:9003", green1)));
    }

    private StatsRing ring(int capacity) {
        return new StatsRing(capacity, nanos::get, wall::get);
    }

    private void advance(long seconds) {
        nanos.addAndGet(seconds * 1_000_000_000L);
        wall.addAndGet(seconds * 1000);
    }

    /** {@code n} requests of {@code route} on {@code listener} answered {@code status} after {@code millis}. */
    private static void served(RouteSeries route, int listener, int status, int n, double millis) {
        StatusCounts counts = route.requestsByListener()[listener];
        for (int i = 0; i < n; i++) {
            counts.increment(status);
            route.stats().completed(Math.round(millis * 1_000_000), -1);
        }
    }

    /** The interpolated quantile, in ms, of {@code n} values all in the bucket whose upper bound is {@code i}. */
    private static float inBucket(int i, double q) {
        double lower = i == 0 ? 0 : BOUNDS[i - 1];
        return (float) ((lower + (BOUNDS[i] - lower) * q) * 1000);
    }

    private static float last(StatsWindow w, SeriesKind kind, String upstream, String name, Metric metric) {
        StatsWindow.SeriesWindow s = w.find(kind, upstream, name);
        assertThat(s).as(kind + " " + upstream + " " + name).isNotNull();
        float[] values = s.values(metric);
        return values[values.length - 1];
    }

    @Test
    void theFirstSampleOnlyReadsWhereTheCountersStand() {
        served(blue, 0, 200, 50, 1);
        StatsRing ring = ring(900);
        assertThat(ring.sample(recorders())).isFalse();
        assertThat(ring.written()).isZero();
        assertThat(ring.window(900, Long.MIN_VALUE).timesMillis()).isEmpty();

        advance(1);
        served(blue, 0, 200, 3, 1);
        assertThat(ring.sample(recorders())).isTrue();
        StatsWindow w = ring.window(900, Long.MIN_VALUE);
        assertThat(w.timesMillis()).containsExactly(START_MILLIS + 1000);
        assertThat(last(w, SeriesKind.ROUTE, "web-blue", "blue.labs.test", Metric.REQUESTS))
                .as("what moved during the second, not the 50 before the start").isEqualTo(3f);
        assertThat(last(w, SeriesKind.TOTAL, "", "", Metric.REQUESTS)).isEqualTo(3f);
    }

    @Test
    void routesCountRequestsErrorsStatusClassesAndQuantilesOfTheirSecond() {
        StatsRing ring = ring(900);
        served(blue, 0, 200, 40, 5); // before the baseline: not in any sample
        ring.sample(recorders());

        advance(1);
        served(blue, 0, 200, 10, 1); // 1 ms: the first bucket (0, 1 ms]
        served(blue, 1, 200, 4, 1); // another listener counts into the same route
        served(blue, 0, 301, 2, 1);
        served(blue, 0, 404, 1, 1);
        served(blue, 1, 499, 1, 1);
        served(blue, 0, 503, 2, 1);
        ring.sample(recorders());
        StatsWindow w = ring.window(900, Long.MIN_VALUE);
        String route = "blue.labs.test";
        assertThat(last(w, SeriesKind.ROUTE, "web-blue", route, Metric.REQUESTS)).isEqualTo(20f);
        assertThat(last(w, SeriesKind.ROUTE, "web-blue", route, Metric.ERRORS)).isEqualTo(2f);
        assertThat(last(w, SeriesKind.ROUTE, "web-blue", route, Metric.STATUS_2XX)).isEqualTo(14f);
        assertThat(last(w, SeriesKind.ROUTE, "web-blue", route, Metric.STATUS_3XX)).isEqualTo(2f);
        assertThat(last(w, SeriesKind.ROUTE, "web-blue", route, Metric.STATUS_4XX)).isEqualTo(2f);
        assertThat(last(w, SeriesKind.ROUTE, "web-blue", route, Metric.STATUS_5XX)).isEqualTo(2f);
        // 20 durations in (0, 1 ms]: the median is half way through the bucket, p99 at 99 %.
        assertThat(last(w, SeriesKind.ROUTE, "web-blue", route, Metric.P50_MS)).isCloseTo(0.5f, within(EXACT));
        assertThat(last(w, SeriesKind.ROUTE, "web-blue", route, Metric.P99_MS)).isCloseTo(0.99f, within(EXACT));

        advance(1);
        served(blue, 0, 200, 2, 1000); // 1 s: in the bucket (0.8078 s, 1.0097 s]
        ring.sample(recorders());
        w = ring.window(900, Long.MIN_VALUE);
        int bucket = 31;
        assertThat(BOUNDS[bucket - 1]).isLessThan(1.0);
        assertThat(BOUNDS[bucket]).isGreaterThanOrEqualTo(1.0);
        assertThat(last(w, SeriesKind.ROUTE, "web-blue", route, Metric.REQUESTS)).isEqualTo(2f);
        assertThat(last(w, SeriesKind.ROUTE, "web-blue", route, Metric.P50_MS))
                .as("quantiles of this second's durations alone, not of everything since the start")
                .isCloseTo(inBucket(bucket, 0.5), within(EXACT));
        assertThat(last(w, SeriesKind.ROUTE, "web-blue", route, Metric.ERRORS)).isZero();

        advance(1);
        ring.sample(recorders());
        w = ring.window(900, Long.MIN_VALUE);
        assertThat(last(w, SeriesKind.ROUTE, "web-blue", route, Metric.REQUESTS)).isZero();
        assertThat(last(w, SeriesKind.ROUTE, "web-blue", route, Metric.P50_MS))
                .as("nothing finished: no latency, not zero").isNaN();
        assertThat(w.find(SeriesKind.ROUTE, "web-blue", route).values(Metric.REQUESTS)).containsExactly(20f, 2f, 0f);
    }

    @Test
    void upstreamsMergeTheirRoutesAndTheTotalCountsRequestsNoRouteMatched() {
        StatsRing ring = ring(900);
        ring.sample(recorders());
        advance(1);
        served(blue, 0, 200, 6, 1);
        served(blueApi, 0, 200, 3, 1);
        served(blueApi, 0, 500, 1, 1);
        served(green, 1, 200, 5, 1);
        served(green, 1, 502, 5, 1);
        served(unrouted, 0, 404, 7, 1);
        ring.sample(recorders());
        StatsWindow w = ring.window(900, Long.MIN_VALUE);
        assertThat(last(w, SeriesKind.UPSTREAM, "web-blue", "", Metric.REQUESTS)).isEqualTo(10f);
        assertThat(last(w, SeriesKind.UPSTREAM, "web-blue", "", Metric.ERRORS)).isEqualTo(1f);
        assertThat(last(w, SeriesKind.UPSTREAM, "web-green", "", Metric.REQUESTS)).isEqualTo(10f);
        assertThat(last(w, SeriesKind.UPSTREAM, "web-green", "", Metric.ERRORS)).isEqualTo(5f);
        assertThat(last(w, SeriesKind.UPSTREAM, "web-green", "", Metric.P99_MS)).isCloseTo(0.99f, within(EXACT));
        assertThat(last(w, SeriesKind.ROUTE, "", "", Metric.STATUS_4XX)).isEqualTo(7f);
        assertThat(last(w, SeriesKind.TOTAL, "", "", Metric.REQUESTS)).isEqualTo(27f);
        assertThat(last(w, SeriesKind.TOTAL, "", "", Metric.ERRORS)).isEqualTo(6f);
        assertThat(w.find(SeriesKind.UPSTREAM, "", "")).as("unrouted requests belong to no upstream").isNull();
    }

    @Test
    void upstreamLatencyComesFromTheMergedHistogramsOfItsRoutes() {
        StatsRing ring = ring(900);
        ring.sample(recorders());
        advance(1);
        served(blue, 0, 200, 1, 1); // (0, 1 ms]
        served(blueApi, 0, 200, 3, 1000); // bucket 31
        ring.sample(recorders());
        StatsWindow w = ring.window(900, Long.MIN_VALUE);
        // 4 durations: rank 2 of the median falls in bucket 31, 1 of its 3.
        assertThat(last(w, SeriesKind.UPSTREAM, "web-blue", "", Metric.P50_MS))
                .isCloseTo(inBucket(31, 1.0 / 3), within(EXACT));
        assertThat(last(w, SeriesKind.TOTAL, "", "", Metric.P50_MS)).isCloseTo(inBucket(31, 1.0 / 3), within(EXACT));
    }

    @Test
    void serversCountAnswersAndConnectFailures() {
        StatsRing ring = ring(900);
        blue1.answered(200, 1_000_000);
        ring.sample(recorders());
        advance(1);
        for (int i = 0; i < 5; i++) {
            blue1.answered(200, 1_000_000);
        }
        blue1.answered(502, 1_000_000);
        blue1.connectFailed();
        blue1.connectFailed();
        blue2.answered(404, 1_000_000);
        ring.sample(recorders());
        StatsWindow w = ring.window(900, Long.MIN_VALUE);
        assertThat(last(w, SeriesKind.SERVER, "web-blue", "127.0.0.1:9001", Metric.REQUESTS)).isEqualTo(8f);
        assertThat(last(w, SeriesKind.SERVER, "web-blue", "127.0.0.1:9001", Metric.ERRORS)).isEqualTo(3f);
        assertThat(last(w, SeriesKind.SERVER, "web-blue", "127.0.0.1:9001", Metric.P50_MS))
                .as("response times of the 6 answers").isCloseTo(0.5f, within(EXACT));
        assertThat(last(w, SeriesKind.SERVER, "web-blue", "127.0.0.1:9002", Metric.ERRORS))
                .as("a 404 is the client's problem, not the server's").isZero();
        assertThat(last(w, SeriesKind.SERVER, "web-green", "127.0.0.1:9003", Metric.REQUESTS)).isZero();
        assertThat(last(w, SeriesKind.SERVER, "web-green", "127.0.0.1:9003", Metric.P99_MS)).isNaN();
    }

    @Test
    void ratesDivideByTheTimeThatPassed() {
        StatsRing ring = ring(900);
        ring.sample(recorders());
        nanos.addAndGet(2_000_000_000L); // a late tick
        wall.addAndGet(2000);
        served(blue, 0, 200, 10, 1);
        served(blue, 0, 500, 3, 1);
        ring.sample(recorders());
        StatsWindow w = ring.window(900, Long.MIN_VALUE);
        assertThat(last(w, SeriesKind.ROUTE, "web-blue", "blue.labs.test", Metric.REQUESTS)).isEqualTo(6.5f);
        assertThat(last(w, SeriesKind.ROUTE, "web-blue", "blue.labs.test", Metric.ERRORS)).isEqualTo(1.5f);

        served(blue, 0, 200, 4, 1);
        assertThat(ring.sample(recorders())).as("the clock did not move: nothing stored").isFalse();
        nanos.addAndGet(499_000_000L);
        assertThat(ring.sample(recorders())).as("a scheduler catching up on a late tick: skipped").isFalse();
        nanos.addAndGet(1_000_000L);
        wall.addAndGet(500);
        served(blue, 0, 200, 1, 1);
        assertThat(ring.sample(recorders())).as("half a second: a sample").isTrue();
        w = ring.window(900, Long.MIN_VALUE);
        assertThat(last(w, SeriesKind.ROUTE, "web-blue", "blue.labs.test", Metric.REQUESTS))
                .as("what the skipped samples saw counts in the next: 5 in half a second").isEqualTo(10f);
        assertThat(w.timesMillis()).containsExactly(START_MILLIS + 2000, START_MILLIS + 2500);
    }

    @Test
    void aRecorderThatAppearsCountsFromZeroAndOneThatGoesLeavesNoDip() {
        StatsRing ring = ring(900);
        Recorders before = new Recorders(List.of("web-blue"), List.of(blue), List.of(
                new Recorders.ServerRecorder("web-blue", "127.0.0.1:9001", blue1)));
        served(blue, 0, 200, 100, 1);
        ring.sample(before);
        advance(1);
        served(blue, 0, 200, 2, 1);
        ring.sample(before);

        // A reload adds a route and a server; a listener goes (its counts of blue vanish from the next read).
        RouteSeries added = registry.series("/new", "web-blue", List.of("public"));
        served(added, 0, 200, 4, 1);
        ServerStats addedServer = new ServerStats();
        addedServer.answered(200, 1_000_000);
        RouteSeries blueOnePublicListener = new RouteSeries(blue.route(), blue.upstream(), blue.stats(),
                new StatusCounts[] {blue.requestsByListener()[0]});
        served(blue, 1, 200, 9, 1); // counted on the listener that is gone: no longer read
        Recorders after = new Recorders(List.of("web-blue"), List.of(blueOnePublicListener, added), List.of(
                new Recorders.ServerRecorder("web-blue", "127.0.0.1:9005", addedServer)));
        advance(1);
        served(blue, 0, 200, 1, 1);
        ring.sample(after);
        StatsWindow w = ring.window(900, Long.MIN_VALUE);
        assertThat(w.find(SeriesKind.ROUTE, "web-blue", "/new").values(Metric.REQUESTS))
                .as("new since the last sample: counted from zero").containsExactly(Float.NaN, 4f);
        assertThat(w.find(SeriesKind.SERVER, "web-blue", "127.0.0.1:9005").values(Metric.REQUESTS))
                .containsExactly(Float.NaN, 1f);
        assertThat(w.find(SeriesKind.ROUTE, "web-blue", "blue.labs.test").values(Metric.REQUESTS))
                .as("the route's requests on the listener that stayed").containsExactly(2f, 1f);
        assertThat(w.find(SeriesKind.SERVER, "web-blue", "127.0.0.1:9001").values(Metric.REQUESTS))
                .as("a server that left: no value from then on").containsExactly(0f, Float.NaN);
        assertThat(ring.window(1, Long.MIN_VALUE).find(SeriesKind.SERVER, "web-blue", "127.0.0.1:9001"))
                .as("not in a window where it has no value").isNull();
    }

    @Test
    void theRingKeepsItsCapacityAndForgetsSeriesWithNoSampleLeft() {
        StatsRing ring = ring(5);
        Recorders withServer = recorders();
        Recorders withoutServers = new Recorders(List.of("web-blue", "web-green"),
                List.of(blue, blueApi, green, unrouted), List.of());
        ring.sample(withServer);
        for (int i = 1; i <= 7; i++) {
            advance(1);
            served(blue, 0, 200, i, 1);
            ring.sample(i <= 2 ? withServer : withoutServers);
        }
        assertThat(ring.written()).isEqualTo(7);
        StatsWindow all = ring.window(900, Long.MIN_VALUE);
        assertThat(all.timesMillis()).containsExactly(START_MILLIS + 3000, START_MILLIS + 4000, START_MILLIS + 5000,
                START_MILLIS + 6000, START_MILLIS + 7000);
        assertThat(all.find(SeriesKind.ROUTE, "web-blue", "blue.labs.test").values(Metric.REQUESTS))
                .containsExactly(3f, 4f, 5f, 6f, 7f);
        assertThat(all.find(SeriesKind.SERVER, "web-blue", "127.0.0.1:9001"))
                .as("its last value (second 2) has left the ring").isNull();
        assertThat(ring.window(2, Long.MIN_VALUE).timesMillis()).containsExactly(START_MILLIS + 6000,
                START_MILLIS + 7000);
        StatsWindow since = ring.window(900, START_MILLIS + 5000);
        assertThat(since.timesMillis()).as("only samples after 'since'").containsExactly(START_MILLIS + 6000,
                START_MILLIS + 7000);
        assertThat(since.find(SeriesKind.ROUTE, "web-blue", "blue.labs.test").values(Metric.REQUESTS))
                .containsExactly(6f, 7f);
        assertThat(ring.window(900, START_MILLIS + 7000).timesMillis()).isEmpty();
        assertThat(ring.window(900, START_MILLIS + 7000).series()).isEmpty();
    }
}
