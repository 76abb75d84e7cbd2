package dev.bascule.explain;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Explain reads a hash cookie as the proxy does: each case is checked against the data plane's own reader
 * ({@code proxy.Cookies}, package-private, reached by reflection) as well as against the expected value.
 */
class CookieValueTest {

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
    void readsOneCookieAsTheProxyDoes(String header, String name, String expected) throws Exception {
        String value = CookieValue.of(header, name);

        assertThat(value).isEqualTo(expected);
        Method proxy = Class.forName("dev.bascule.proxy.Cookies").getDeclaredMethod("value", String.class, String.class);
        proxy.setAccessible(true);
        assertThat(proxy.invoke(null, header, name)).isEqualTo(value);
    }
}
