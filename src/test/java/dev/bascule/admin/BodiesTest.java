package dev.bascule.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bascule.control.CommandException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BodiesTest {

    @Test
    void readsANewServerWithAndWithoutAWeight() {
        assertThat(Bodies.newServer(bytes("{\"address\": \"127.0.0.1:9005\", \"weight\": 4}")))
                .isEqualTo(new Bodies.NewServer("127.0.0.1:9005", 4));
        assertThat(Bodies.newServer(bytes("{\"address\": \"127.0.0.1:9005\"}")))
                .isEqualTo(new Bodies.NewServer("127.0.0.1:9005", Bodies.DEFAULT_WEIGHT));
        assertThat(Bodies.newWeight(bytes(" {\"weight\": 3}\n"))).isEqualTo(3);
    }

    @Test
    void namesWhatIsWrong() {
        refused(Bodies::newServer, "", "empty body, expected a JSON object");
        refused(Bodies::newServer, "[]", "expected a JSON object");
        refused(Bodies::newServer, "{\"weight\": 2}", "missing field 'address'");
        refused(Bodies::newServer, "{\"address\": null}", "missing field 'address'");
        refused(Bodies::newServer, "{\"address\": 9005}", "'address' must be a string like \"127.0.0.1:9005\"");
        refused(Bodies::newServer, "{\"address\": \"a:1\", \"colour\": 1}",
                "unknown field 'colour'; allowed: address, weight");
        refused(Bodies::newWeight, "{}", "missing field 'weight'");
        refused(Bodies::newWeight, "{\"weight\": \"3\"}", "'weight' must be an integer from 1 to 1000");
        refused(Bodies::newWeight, "{\"weight\": 3.0}", "'weight' must be an integer from 1 to 1000");
        refused(Bodies::newWeight, "{\"weight\": 99999999999}", "'weight' must be an integer from 1 to 1000");
        refused(Bodies::newWeight, "{\"weight\": 3, \"address\": \"a:1\"}", "unknown field 'address'; allowed: weight");
    }

    @Test
    void malformedJsonSaysWhere() {
        assertThatThrownBy(() -> Bodies.newWeight(bytes("{\"weight\": 3,\n }")))
                .isInstanceOf(CommandException.class)
                .hasMessageStartingWith("malformed JSON at line 2, column 2: ");
        assertThatThrownBy(() -> Bodies.newWeight(bytes("{\"weight\": 3} {}")))
                .hasMessageStartingWith("malformed JSON at line 1");
        assertThatThrownBy(() -> Bodies.newWeight(bytes("{\"weight\": 3, \"weight\": 4}")))
                .hasMessageContaining("Duplicate field 'weight'");
    }

    private interface Reader {
        Object read(byte[] body);
    }

    private static void refused(Reader reader, String body, String message) {
        assertThatThrownBy(() -> reader.read(bytes(body))).as(body)
                .isInstanceOf(CommandException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(((CommandException) e).status()).isEqualTo(400));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
