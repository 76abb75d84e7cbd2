package dev.bascule.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.config.RouteConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code route} label: a route's name, else its match written compactly, stable when routes are added. */
class RouteLabelsTest {

    private static RouteConfig route(String name, String host, String prefix) {
        RouteConfig r = new RouteConfig(host, prefix, false, "web");
        return new RouteConfig(r.host(), r.pathPrefix(), r.stripPrefix(), r.upstream(), r.retry(), r.allow(), r.deny(),
                r.rateLimit(), r.maxBodySize(), r.websocket(), name);
    }

    @Test
    void theSeedsRoutesAreLabelledByTheirMatch() {
        assertThat(SnapshotBuilder.routeLabels(List.of(
                route(null, "blue.labs.test", null),
                route(null, "green.labs.test", null),
                route(null, null, "/blue"),
                route(null, "labs.test", "/api"),
                route(null, null, null))))
                .containsExactly("blue.labs.test", "green.labs.test", "/blue", "labs.test/api", "*");
    }

    @Test
    void aNameWins() {
        assertThat(SnapshotBuilder.routeLabels(List.of(route("app", "labs.test", null))))
                .containsExactly("app");
    }

    @Test
    void labelsStayWhenARouteIsInsertedBeforeThem() {
        List<String> before = SnapshotBuilder.routeLabels(List.of(route(null, null, "/green"),
                route(null, null, null)));
        List<String> after = SnapshotBuilder.routeLabels(List.of(route(null, "new.labs.test", null),
                route(null, null, "/green"), route(null, null, null)));

        assertThat(after.subList(1, 3)).isEqualTo(before);
    }

    @Test
    void unnamedRoutesWithTheSameMatchAreToldApartInOrder() {
        assertThat(SnapshotBuilder.routeLabels(List.of(route(null, null, "/x"), route(null, null, "/x"),
                route(null, null, "/x")))).containsExactly("/x", "/x#2", "/x#3");
    }

    @Test
    void anUnnamedRouteNeverTakesTheLabelOfANamedOne() {
        assertThat(SnapshotBuilder.routeLabels(List.of(route(null, "blue.labs.test", null),
                route("blue.labs.test", null, "/b"))))
                .containsExactly("blue.labs.test#2", "blue.labs.test");
    }
}
