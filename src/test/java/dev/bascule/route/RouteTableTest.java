package dev.bascule.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An ordered route list: the first route whose host and path both match wins; strip_prefix rewrites the target. */
class RouteTableTest {

    private static Route<String> route(String host, String prefix, String target) {
        return new Route<>(host == null ? null : HostMatcher.of(host), prefix == null ? null : PathPrefix.of(prefix),
                false, target);
    }

    private static Route<String> stripping(String host, String prefix, String target) {
        return new Route<>(host == null ? null : HostMatcher.of(host), PathPrefix.of(prefix), true, target);
    }

    private static String targetOf(RouteTable<String> table, String host, String uri) {
        Route<String> r = table.match(host, uri);
        return r == null ? null : r.target();
    }

    @Test
    void firstMatchWinsInListOrder() {
        RouteTable<String> table = new RouteTable<>(List.of(
                route(null, "/blue", "blue"),
                route(null, "/blue/deep", "never: /blue comes first"),
                route("*.labs.test", null, "labs"),
                route(null, "/", "default")));
        assertThat(targetOf(table, "a.labs.test", "/blue/deep/x")).isEqualTo("blue");
        assertThat(targetOf(table, "a.labs.test", "/green")).isEqualTo("labs");
        assertThat(targetOf(table, "other.test", "/green")).isEqualTo("default");

        RouteTable<String> specificFirst = new RouteTable<>(List.of(
                route(null, "/blue/deep", "deep"),
                route(null, "/blue", "blue")));
        assertThat(targetOf(specificFirst, "a.test", "/blue/deep")).isEqualTo("deep");
        assertThat(targetOf(specificFirst, "a.test", "/blue/deeper")).isEqualTo("blue");
        assertThat(targetOf(specificFirst, "a.test", "/blue")).isEqualTo("blue");
    }

    @Test
    void hostAndPathMustBothMatch() {
        RouteTable<String> table = new RouteTable<>(List.of(
                route("blue.labs.test", "/api", "blue api"),
                route("blue.labs.test", null, "blue"),
                route(null, "/api", "any api")));
        assertThat(targetOf(table, "blue.labs.test", "/api/x")).isEqualTo("blue api");
        assertThat(targetOf(table, "BLUE.labs.test:8080", "/api")).isEqualTo("blue api");
        assertThat(targetOf(table, "blue.labs.test", "/apix")).isEqualTo("blue");
        assertThat(targetOf(table, "green.labs.test", "/api/x")).isEqualTo("any api");
        assertThat(targetOf(table, "green.labs.test", "/web")).isNull();
    }

    @Test
    void noMatchIsNull() {
        RouteTable<String> table = new RouteTable<>(List.of(route("blue.labs.test", "/blue", "blue")));
        assertThat(table.match("green.labs.test", "/blue")).isNull();
        assertThat(table.match("blue.labs.test", "/green")).isNull();
        assertThat(table.match("blue.labs.test", "/bluex")).isNull();
        assertThat(new RouteTable<String>(List.of()).match("a.test", "/")).isNull();
    }

    @Test
    void requestWithoutHostMatchesOnlyRoutesWithoutAHostCondition() {
        RouteTable<String> table = new RouteTable<>(List.of(
                route("blue.labs.test", null, "blue"),
                route("*.labs.test", null, "labs"),
                route(null, "/", "any host")));
        assertThat(targetOf(table, null, "/x")).isEqualTo("any host");
        assertThat(targetOf(table, "", "/x")).isEqualTo("any host");
        assertThat(new RouteTable<>(List.of(route("blue.labs.test", null, "blue"))).match(null, "/")).isNull();
    }

    @Test
    void routeWithNoConditionMatchesEverything() {
        RouteTable<String> table = new RouteTable<>(List.of(route(null, null, "all")));
        assertThat(targetOf(table, null, "/")).isEqualTo("all");
        assertThat(targetOf(table, "x.test", "*")).isEqualTo("all");
    }

    @Test
    void stripPrefixRewritesOnlyWhenAsked() {
        RouteTable<String> table = new RouteTable<>(List.of(
                stripping(null, "/blue", "blue"),
                route(null, "/green", "green")));
        Route<String> blue = table.match("a.test", "/blue/x?y=1");
        assertThat(blue.rewriteTarget("/blue/x?y=1")).isEqualTo("/x?y=1");
        assertThat(blue.rewriteTarget("/blue")).isEqualTo("/");
        assertThat(blue.rewriteTarget("/blue?q")).isEqualTo("/?q");

        Route<String> green = table.match("a.test", "/green/x");
        assertThat(green.rewriteTarget("/green/x")).isEqualTo("/green/x");
    }

    @Test
    void stripPrefixNeedsAPathPrefix() {
        assertThatThrownBy(() -> new Route<>(HostMatcher.of("a.test"), null, true, "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Route<String>(null, PathPrefix.of("/"), false, null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void tableIsACopyOfTheListItWasBuiltFrom() {
        List<Route<String>> list = new ArrayList<>(List.of(route(null, "/blue", "blue")));
        RouteTable<String> table = new RouteTable<>(list);
        list.add(0, route(null, "/", "added later"));
        list.set(1, route(null, "/", "replaced later"));
        assertThat(targetOf(table, "a.test", "/blue")).isEqualTo("blue");
        assertThat(targetOf(table, "a.test", "/green")).isNull();
        assertThat(table.routes()).extracting(Route::target).containsExactly("blue");
        assertThatThrownBy(() -> table.routes().add(route(null, "/", "x")))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    /** The data plane matches every request: the match must not allocate (RouteTable's promise). */
    @Test
    void matchingAllocatesNothing() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        RouteTable<String> table = new RouteTable<>(List.of(
                route("blue.labs.test", "/api", "blue api"),
                route("*.labs.test", "/static", "static"),
                route("[::1]", null, "loopback"),
                route(null, "/", "default")));
        String[] hosts = {"BLUE.labs.test:8080", "a.b.labs.test.", "[::1]:80", "other.test", null};
        String[] targets = {"/api/x?y", "/static/a.css", "/", "/bluex"};
        int matched = 0;
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            if (table.match(hosts[i % hosts.length], targets[i % targets.length]) != null) {
                matched++;
            }
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(matched).isEqualTo(100_000);
        // 100,000 matches: even 16 bytes each would be 1.6 MB; what is left is the measurement's own noise
        assertThat(allocated).as("bytes allocated by 100,000 matches").isLessThan(64 * 1024);
    }

    @Test
    void eachConditionCanBeCheckedAlone() {
        Route<String> both = route("blue.labs.test", "/api", "x");
        assertThat(both.matchesHost("BLUE.labs.test:8080")).isTrue();
        assertThat(both.matchesPath("/apix")).isFalse();
        assertThat(both.matches("blue.labs.test", "/apix")).isFalse();
        assertThat(both.host()).hasToString("blue.labs.test");
        assertThat(both.pathPrefix()).hasToString("/api");
        assertThat(both.stripPrefix()).isFalse();

        Route<String> any = route(null, null, "y");
        assertThat(any.matchesHost(null)).isTrue();
        assertThat(any.matchesPath("/anything")).isTrue();
        assertThat(any.host()).isNull();
        assertThat(any.pathPrefix()).isNull();
        assertThat(stripping(null, "/green", "z").stripPrefix()).isTrue();
    }
}
