package dev.bascule.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bascule.control.CommandException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A query read as a browser's form encodes it; unknown names and repeated single values are mistakes. */
class QueryParametersTest {
    private static final List<String> KNOWN = List.of("host", "path", "header");

    @Test
    void decodesPlusAndPercentEscapesAndKeepsRepeatedValuesInOrder() {
        QueryParameters p = QueryParameters.of("/explain?host=a.test&path=%2Fx%3Fy%3D1&header=X-A:+1"
                + "&header=X-B%3A%20caf%C3%A9&header=X-C:%2B#fragment", KNOWN);

        assertThat(p.single("host")).isEqualTo("a.test");
        assertThat(p.single("path")).isEqualTo("/x?y=1");
        assertThat(p.all("header")).containsExactly("X-A: 1", "X-B: café", "X-C:+");
        assertThat(p.single("method")).isNull();
        assertThat(p.all("nothing")).isEmpty();
    }

    @Test
    void aNameWithoutValueIsEmptyAndEmptyPairsAreSkipped() {
        QueryParameters p = QueryParameters.of("/explain?host&&path=", KNOWN);

        assertThat(p.single("host")).isEmpty();
        assertThat(p.single("path")).isEmpty();
        assertThat(QueryParameters.of("/explain", KNOWN).single("host")).isNull();
    }

    @Test
    void mistakesAre400() {
        assertThatThrownBy(() -> QueryParameters.of("/explain?hots=a", KNOWN))
                .isInstanceOf(CommandException.class)
                .hasMessage("unknown parameter 'hots', expected one of host, path, header");
        assertThatThrownBy(() -> QueryParameters.of("/explain?host=a&host=b", KNOWN).single("host"))
                .hasMessage("parameter 'host' given 2 times, expected once");
        assertThatThrownBy(() -> QueryParameters.of("/explain?host=%G0", KNOWN))
                .hasMessage("bad percent-encoding in the query: '%G0'");
        assertThat(catchThrowableOfType(() -> QueryParameters.of("/explain?x=1", KNOWN), CommandException.class)
                .status()).isEqualTo(400);
    }
}
