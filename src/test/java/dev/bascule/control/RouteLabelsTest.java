package dev.bascule.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.config.HeaderEditsConfig;
import dev.bascule.config.RedirectConfig;
import dev.bascule.config.RequestMatchConfig;
import dev.bascule.config.RetryConfig;
import dev.bascule.config.RouteConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        assertThat(RouteConfig.labels(List.of(
                route(null, "blue.labs.test", null),
                route(null, "green.labs.test", null),
                route(null, null, "/blue"),
                route(null, "labs.test", "/api"),
                route(null, null, null))))
                .containsExactly("blue.labs.test", "green.labs.test", "/blue", "labs.test/api", "*");
    }

    @Test
    void aNameWins() {
        assertThat(RouteConfig.labels(List.of(route("app", "labs.test", null))))
                .containsExactly("app");
    }

    @Test
    void labelsStayWhenARouteIsInsertedBeforeThem() {
        List<String> before = RouteConfig.labels(List.of(route(null, null, "/green"),
                route(null, null, null)));
        List<String> after = RouteConfig.labels(List.of(route(null, "new.labs.test", null),
                route(null, null, "/green"), route(null, null, null)));

        assertThat(after.subList(1, 3)).isEqualTo(before);
    }

    @Test
    void unnamedRoutesWithTheSameMatchAreToldApartInOrder() {
        assertThat(RouteConfig.labels(List.of(route(null, null, "/x"), route(null, null, "/x"),
                route(null, null, "/x")))).containsExactly("/x", "/x#2", "/x#3");
    }

    @Test
    void anUnnamedRouteNeverTakesTheLabelOfANamedOne() {
        assertThat(RouteConfig.labels(List.of(route(null, "blue.labs.test", null),
                route("blue.labs.test", null, "/b"))))
                .containsExactly("blue.labs.test#2", "blue.labs.test");
    }

    private static RouteConfig conditional(String host, String prefix, RequestMatchConfig conditions) {
        return new RouteConfig(host, prefix, false, "web", RetryConfig.DEFAULTS, List.of(), List.of(), null, -1, true,
                null, conditions, HeaderEditsConfig.NONE, HeaderEditsConfig.NONE, null);
    }

    @Test
    void routesToldApartByAHeaderGetLabelsOfTheirOwn() {
        assertThat(RouteConfig.labels(List.of(
                conditional("labs.test", null, new RequestMatchConfig(Map.of("x-release", "green"), Map.of(), Map.of(),
                        List.of())),
                conditional("labs.test", null, new RequestMatchConfig(Map.of("x-release", "blue"), Map.of(), Map.of(),
                        List.of())),
                conditional("labs.test", null, RequestMatchConfig.NONE))))
                .containsExactly("labs.test[x-release=green]", "labs.test[x-release=blue]", "labs.test");
    }

    @Test
    void everyKindOfConditionIsWrittenInAFixedOrderWhateverTheFileSays() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-b", "2");
        headers.put("x-a", "1");
        assertThat(conditional(null, "/api", new RequestMatchConfig(headers, Map.of("release", "green"),
                Map.of("v", "2"), List.of("POST", "GET"))).matchLabel())
                .isEqualTo("/api[x-a=1,x-b=2,cookie:release=green,?v=2,GET|POST]");
        assertThat(conditional(null, null, new RequestMatchConfig(Map.of(), Map.of(), Map.of(), List.of("GET")))
                .matchLabel()).as("no host or path: the match-everything star, then the conditions")
                .isEqualTo("*[GET]");
    }

    @Test
    void aRedirectRouteCountsUnderNoUpstream() {
        RouteConfig redirect = new RouteConfig(null, "/old", false, null, RetryConfig.DEFAULTS, List.of(), List.of(),
                null, -1, true, null, RequestMatchConfig.NONE, HeaderEditsConfig.NONE, HeaderEditsConfig.NONE,
                new RedirectConfig("https://labs.test/new", 301, false));
        assertThat(redirect.matchLabel()).isEqualTo("/old");
        assertThat(redirect.upstreamLabel()).isEmpty();
    }
}
