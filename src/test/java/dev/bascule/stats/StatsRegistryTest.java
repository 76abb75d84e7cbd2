package dev.bascule.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StatsRegistryTest {

    @Test
    void aSeriesKeptByAReloadKeepsItsCounts() {
        StatsRegistry r = new StatsRegistry();
        RouteSeries first = r.series("app", "web", List.of("public"));
        first.requests(r.listener("public")).increment(200);
        first.stats().completed(1_000_000, -1);

        RouteSeries again = r.series("app", "web", List.of("public", "internal"));

        assertThat(again.stats()).isSameAs(first.stats());
        assertThat(again.requests(r.listener("public")).get(200)).isEqualTo(1);
        assertThat(again.requests(r.listener("internal")).total()).isZero();
    }

    @Test
    void whatASnapshotNoLongerUsesIsForgotten() {
        StatsRegistry r = new StatsRegistry();
        ListenerStats old = r.listener("old");
        RouteSeries gone = r.series("gone", "web", List.of("old"));
        gone.requests(old).increment(200);
        UpstreamStats web = r.upstream("web");

        r.retainOnly(Set.of("public"), Set.of("api"), Set.of("app\napi"));

        assertThat(r.listener("old")).isNotSameAs(old);
        assertThat(r.upstream("web")).isNotSameAs(web);
        assertThat(r.series("gone", "web", List.of("old")).requests(r.listener("old")).total()).isZero();
    }

    @Test
    void listenersGetSmallDistinctSlotsThatAreReusedOnceFree() {
        StatsRegistry r = new StatsRegistry();
        assertThat(r.listener("a").slot()).isZero();
        assertThat(r.listener("b").slot()).isEqualTo(1);
        r.retainOnly(Set.of("b"), Set.of(), Set.of());

        assertThat(r.listener("c").slot()).isZero();
        assertThat(r.listener("b").slot()).isEqualTo(1);
    }

    @Test
    void aListenerAddedAfterASnapshotWasBuiltCountsIntoNothingItReads() {
        StatsRegistry r = new StatsRegistry();
        RouteSeries s = r.series("app", "web", List.of("a"));
        ListenerStats later = r.listener("b");

        s.requests(later).increment(200);

        assertThat(s.requests(r.listener("a")).total()).isZero();
    }
}
