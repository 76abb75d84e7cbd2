package dev.bascule.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RouteBinderTest {

    @ParameterizedTest
    @CsvSource({
        "blue.labs.test, blue.labs.test",
        "Blue.LABS.test, blue.labs.test",
        "*.labs.test, *.labs.test",
        "localhost, localhost",
        "10.0.0.1, 10.0.0.1",
        "[::1], [::1]",
        "[2001:DB8::1], [2001:db8::1]",
    })
    void hostsAreLowercased(String text, String expected) {
        assertThat(RouteBinder.normalizeHost(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a.test:80", "[::1]:80", "*", "*.", "a.*.test", "*a.test", "**.a.test", "a..test", ".a.test",
        "a.test.", "a test", "a/b", "[::1", "[]", "bl\u00fce.test"})
    void badHosts(String text) {
        assertThatThrownBy(() -> RouteBinder.normalizeHost(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"/, /", "/green, /green", "/green/, /green", "/a/b//, /a/b", "//, /"})
    void pathPrefixesLoseTrailingSlashes(String text, String expected) {
        assertThat(RouteBinder.normalizePathPrefix(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"green", "", "/a b", "/a?b=1", "/a#x"})
    void badPathPrefixes(String text) {
        assertThatThrownBy(() -> RouteBinder.normalizePathPrefix(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
