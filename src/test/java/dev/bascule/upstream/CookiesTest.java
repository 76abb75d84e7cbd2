package dev.bascule.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One cookie's value out of a Cookie header, as hash balancing and explain read it. */
class CookiesTest {

    @ParameterizedTest(name = "[{0}] {1} -> {2}")
    @CsvSource(delimiter = '|', nullValues = "NULL", textBlock = """
            session=abc                         | session | abc
            a=1; session=abc; b=2               | session | abc
            a=1;session=abc                     | session | abc
            session="abc"                       | session | abc
            session=""                          | session | ''
            sessions=x; session=y               | session | y
            Session=x                           | session | NULL
            a=1                                 | session | NULL
            session                             | session | NULL
            NULL                                | session | NULL
            ;; session=abc;                     | session | abc
            """)
    void readsOneCookie(String header, String name, String expected) {
        assertThat(Cookies.value(header, name)).isEqualTo(expected);
    }
}
