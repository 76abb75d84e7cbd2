package dev.bascule.route;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Where a redirect route sends a client, with and without keep_path. */
class RedirectTest {

    @ParameterizedTest(name = "{0} {1}, prefix {2}, {3} -> {4}")
    @CsvSource(delimiter = '|', nullValues = "NULL", textBlock = """
            https://labs.test/new  | false | /old | /old/a?x=1   | https://labs.test/new
            https://labs.test/new  | true  | /old | /old/a/b?x=1 | https://labs.test/new/a/b?x=1
            https://labs.test/new  | true  | /old | /old         | https://labs.test/new
            https://labs.test/new  | true  | /old | /old/        | https://labs.test/new/
            https://labs.test/new  | true  | /old | /old?x=1     | https://labs.test/new?x=1
            https://labs.test/new/ | true  | /old | /old/a       | https://labs.test/new/a
            https://labs.test/new/ | true  | /old | /old         | https://labs.test/new/
            https://labs.test      | true  | /old | /old/a       | https://labs.test/a
            https://labs.test/     | true  | /old | /old/a       | https://labs.test/a
            https://labs.test      | true  | NULL | /a/b?c       | https://labs.test/a/b?c
            https://labs.test/v2   | true  | /    | /a?c         | https://labs.test/v2/a?c
            /new                   | true  | /old | /old/a       | /new/a
            /                      | true  | /old | /old/a       | /a
            /                      | true  | /old | /old         | /
            """)
    void location(String to, boolean keepPath, String prefix, String target, String expected) {
        Redirect r = new Redirect(to, 301, keepPath);
        assertThat(r.location(target, prefix == null ? null : PathPrefix.of(prefix))).isEqualTo(expected);
    }
}
