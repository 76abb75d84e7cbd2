package dev.bascule.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Header, cookie, query and method conditions, alone and together, and in a route table. */
class RequestConditionTest {

    /** A request with a method and header lines, read as the data plane reads one. */
    private record Fields(String method, List<String[]> headers) implements RequestFields {
        static Fields of(String method, String... nameValues) {
            List<String[]> h = new ArrayList<>();
            for (int i = 0; i < nameValues.length; i += 2) {
                h.add(new String[] {nameValues[i], nameValues[i + 1]});
            }
            return new Fields(method, h);
        }

        @Override
        public CharSequence field(String name) {
            for (String[] h : headers) {
                if (h[0].toLowerCase(Locale.ROOT).equals(name)) {
                    return h[1];
                }
            }
            return null;
        }

        @Override
        public boolean hasField(String name, String value) {
            for (String[] h : headers) {
                if (h[0].toLowerCase(Locale.ROOT).equals(name) && h[1].equals(value)) {
                    return true;
                }
            }
            return false;
        }
    }

    @Test
    void aHeaderConditionNamesTheHeaderInAnyCaseAndTheValueExactly() {
        RequestCondition c = RequestCondition.header("X-Release", "green");
        assertThat(c.name()).isEqualTo("x-release");
        assertThat(c.holds("/", Fields.of("GET", "x-release", "green"))).isTrue();
        assertThat(c.holds("/", Fields.of("GET", "X-RELEASE", "green"))).isTrue();
        assertThat(c.holds("/", Fields.of("GET", "x-release", "Green"))).as("values are case-sensitive").isFalse();
        assertThat(c.holds("/", Fields.of("GET", "x-release", "green, blue"))).as("a line is compared whole").isFalse();
        assertThat(c.holds("/", Fields.of("GET", "x-release", "blue", "x-release", "green")))
                .as("one line of several is enough").isTrue();
        assertThat(c.holds("/", Fields.of("GET"))).isFalse();
        assertThat(c.found("/", Fields.of("GET", "x-release", "blue"))).isEqualTo("blue");
        assertThat(c.found("/", Fields.of("GET"))).isNull();
    }

    @Test
    void cookieQueryAndMethodConditions() {
        RequestCondition cookie = RequestCondition.cookie("release", "green");
        assertThat(cookie.holds("/", Fields.of("GET", "cookie", "a=1; release=green"))).isTrue();
        assertThat(cookie.holds("/", Fields.of("GET", "cookie", "release=blue"))).isFalse();
        assertThat(cookie.holds("/", Fields.of("GET"))).isFalse();
        assertThat(cookie.found("/", Fields.of("GET", "cookie", "release=blue"))).isEqualTo("blue");

        RequestCondition query = RequestCondition.query("v", "2");
        assertThat(query.holds("/x?v=2", Fields.of("GET"))).isTrue();
        assertThat(query.holds("/x?v=1", Fields.of("GET"))).isFalse();
        assertThat(query.found("/x?v=1", Fields.of("GET"))).isEqualTo("1");

        RequestCondition method = RequestCondition.method(List.of("GET", "HEAD"));
        assertThat(method.holds("/", Fields.of("GET"))).isTrue();
        assertThat(method.holds("/", Fields.of("HEAD"))).isTrue();
        assertThat(method.holds("/", Fields.of("POST"))).isFalse();
        assertThat(method.holds("/", Fields.of("get"))).as("methods are case-sensitive").isFalse();
        assertThat(method.found("/", Fields.of("POST"))).isEqualTo("POST");
    }

    @Test
    void everyConditionOfARouteMustHoldAndTheFirstRouteThatMatchesWins() {
        Route<String> pinned = new Route<>(HostMatcher.of("labs.test"), null, false, List.of(
                RequestCondition.header("x-release", "green"),
                RequestCondition.cookie("tier", "beta"),
                RequestCondition.query("v", "2"),
                RequestCondition.method(List.of("GET"))), "green");
        Route<String> rest = new Route<>(HostMatcher.of("labs.test"), null, false, "blue");
        RouteTable<String> table = new RouteTable<>(List.of(pinned, rest));

        Fields all = Fields.of("GET", "x-release", "green", "cookie", "tier=beta");
        assertThat(table.match("labs.test", "/x?v=2", all).target()).isEqualTo("green");
        assertThat(table.match("labs.test", "/x?v=3", all).target()).as("query misses").isEqualTo("blue");
        assertThat(table.match("labs.test", "/x?v=2", Fields.of("POST", "x-release", "green", "cookie", "tier=beta"))
                .target()).as("method misses").isEqualTo("blue");
        assertThat(table.match("labs.test", "/x?v=2", Fields.of("GET", "x-release", "green")).target())
                .as("cookie misses").isEqualTo("blue");
        assertThat(table.match("labs.test", "/x?v=2", Fields.of("GET", "cookie", "tier=beta")).target())
                .as("header misses").isEqualTo("blue");
        assertThat(table.match("other.test", "/x?v=2", all)).as("host misses").isNull();
        assertThat(table.match("labs.test", "/x?v=2").target())
                .as("matching by host and path alone skips a route with conditions").isEqualTo("blue");
        assertThat(pinned.conditions()).hasSize(4);
    }
}
