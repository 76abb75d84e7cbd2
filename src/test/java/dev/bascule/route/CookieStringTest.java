package dev.bascule.route;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One cookie read out of a Cookie field by scanning it (RFC 6265 5.4). */
class CookieStringTest {

    @ParameterizedTest(name = "[{0}] {1}={2} -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
            release=green                       | release | green | true
            a=1; release=green; b=2             | release | green | true
            a=1;release=green                   | release | green | true
            '  release = green  '               | release | green | true
            release="green"                     | release | green | true
            release=green; release=blue         | release | blue  | false
            release=blue; release=green         | release | green | false
            release=greenish                    | release | green | false
            xrelease=green                      | release | green | false
            Release=green                       | release | green | false
            release                             | release | ''    | false
            release=                            | release | ''    | true
            noequals; release=green             | release | green | true
            a=b=c; release=green                | release | green | true
            ''                                  | release | green | false
            """)
    void firstCookieOfTheName(String header, String name, String value, boolean expected) {
        assertThat(CookieString.firstEquals(header, name, value)).isEqualTo(expected);
    }

    @Test
    void noHeaderNeverMatches() {
        assertThat(CookieString.firstEquals(null, "release", "green")).isFalse();
        assertThat(CookieString.first(null, "release")).isNull();
    }

    @Test
    void theValueAsExplainShowsIt() {
        assertThat(CookieString.first("a=1; release=\"blue\"; release=green", "release")).isEqualTo("blue");
        assertThat(CookieString.first("a=1", "release")).isNull();
    }
}
