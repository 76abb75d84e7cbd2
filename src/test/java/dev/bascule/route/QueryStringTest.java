package dev.bascule.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Query parameters read as a browser writes a form: split on &amp;, + is a space, %XX a byte, first one wins. */
class QueryStringTest {

    private static boolean eq(String target, String name, String value) {
        return QueryString.firstEquals(target, name.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}: {1}={2} -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
            /x?v=2                  | v       | 2         | true
            /x?a=1&v=2&b=3          | v       | 2         | true
            /x?v=2&v=3              | v       | 3         | false
            /x?v=3&v=2              | v       | 2         | false
            /x?v=22                 | v       | 2         | false
            /x?vv=2                 | v       | 2         | false
            /x?v=                   | v       | ''        | true
            /x?v                    | v       | ''        | true
            /x?v&w=1                | v       | ''        | true
            /x?&&v=2&               | v       | 2         | true
            /x?v=a+b                | v       | a b       | true
            /x?v=a%20b              | v       | a b       | true
            /x?v=a%2Bb              | v       | a+b       | true
            /x?v=a%2bb              | v       | a+b       | true
            /x?%76=2                | v       | 2         | true
            /x?v=%C3%A9t%C3%A9      | v       | été       | true
            /x?v=%zz                | v       | %zz       | true
            /x?v=100%               | v       | 100%      | true
            /x?v=%4                 | v       | %4        | true
            /x?v=a=b                | v       | a=b       | true
            /x?v=2#frag             | v       | 2         | true
            /x#?v=2                 | v       | 2         | false
            /x                      | v       | ''        | false
            /x?                     | v       | ''        | false
            /v=2                    | v       | 2         | false
            /x?V=2                  | v       | 2         | false
            """)
    void firstParameterOfANameDecodedAsAForm(String target, String name, String value, boolean expected) {
        assertThat(eq(target, name, value)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @CsvSource(delimiter = '|', nullValues = "NULL", textBlock = """
            /x?v=2&v=3     | v  | 2
            /x?v=a+b%21    | v  | a b!
            /x?w=1         | v  | NULL
            /x?v           | v  | ''
            /x?v=%C3%A9    | v  | é
            """)
    void theValueAsExplainShowsIt(String target, String name, String expected) {
        assertThat(QueryString.first(target, name)).isEqualTo(expected);
    }
}
