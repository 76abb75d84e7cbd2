package dev.bascule.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What may be asked: every part is checked as the proxy would read it, and a bad one is named. */
class QuestionTest {

    @Test
    void aFullQuestion() {
        Question q = Question.of("blue.labs.test:8080", "/x?y=1", "PUT", "10.1.2.3",
                List.of("X-User: ann", "cookie:a=b", "x-user: second"));

        assertThat(q.host()).isEqualTo("blue.labs.test:8080");
        assertThat(q.path()).isEqualTo("/x?y=1");
        assertThat(q.method()).isEqualTo("PUT");
        assertThat(q.client()).isEqualTo("10.1.2.3");
        assertThat(q.headers()).containsExactly(new Question.Header("X-User", "ann"),
                new Question.Header("cookie", "a=b"), new Question.Header("x-user", "second"));
        assertThat(q.header("x-USER")).as("names ignore case; the first one counts").isEqualTo("ann");
        assertThat(q.header("Referer")).isNull();
        assertThat(q.clientBytes()).containsExactly(10, 1, 2, 3);
    }

    @Test
    void theMethodIsGetAndTheClientUnknownUnlessGiven() {
        Question q = Question.of("a.test", "/", null, null, List.of());

        assertThat(q.method()).isEqualTo("GET");
        assertThat(q.client()).isNull();
        assertThat(q.clientBytes()).isNull();
    }

    @Test
    void anIpv6ClientIsWrittenAsTheProxyWritesAPeer() {
        assertThat(Question.of("a.test", "/", null, "::1", List.of()).client()).isEqualTo("0:0:0:0:0:0:0:1");
        assertThat(Question.of("a.test", "/", null, "2001:DB8::7", List.of()).client())
                .isEqualTo("2001:db8:0:0:0:0:0:7");
    }

    @Test
    void hostAndPathAreRequired() {
        assertThatThrownBy(() -> Question.of(null, "/", null, null, List.of()))
                .hasMessage("host is required, such as blue.labs.test");
        assertThatThrownBy(() -> Question.of("", "/", null, null, List.of()))
                .hasMessage("host is required, such as blue.labs.test");
        assertThatThrownBy(() -> Question.of("a.test", null, null, null, List.of()))
                .hasMessage("path is required, such as /x");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x", "http://a.test/x", "/a b", "/a\tb", "/\u00e9"})
    void aPathMustBeAnOriginFormTarget(String path) {
        assertThatThrownBy(() -> Question.of("a.test", path, null, null, List.of()))
                .hasMessageStartingWith("bad path '");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.1.2", "10.1.2.300", "10.0.0.0/8", "localhost", "blue.labs.test", "1.2.3.4 x", ":"})
    void aClientMustBeAnIpAddressAndIsNeverLookedUp(String client) {
        assertThatThrownBy(() -> Question.of("a.test", "/", null, client, List.of()))
                .hasMessage("bad client '" + client + "': expected an IP address such as 10.1.2.3");
    }

    @Test
    void badMethodsHostsAndHeadersAreNamed() {
        assertThatThrownBy(() -> Question.of("a.test", "/", "GE T", null, List.of()))
                .hasMessage("bad method 'GE T': expected a token such as GET");
        assertThatThrownBy(() -> Question.of("a test", "/", null, null, List.of()))
                .hasMessageStartingWith("bad host 'a test'");
        assertThatThrownBy(() -> Question.of("a.test", "/", null, null, List.of("X-User")))
                .hasMessage("bad header 'X-User': expected Name:value");
        assertThatThrownBy(() -> Question.of("a.test", "/", null, null, List.of(":v")))
                .hasMessage("bad header ':v': expected Name:value");
        assertThatThrownBy(() -> Question.of("a.test", "/", null, null, List.of("X User: v")))
                .hasMessageStartingWith("bad header name 'X User'");
        assertThatThrownBy(() -> Question.of("a.test", "/", null, null, List.of("X-User: a\nb")))
                .hasMessageStartingWith("bad value of header 'X-User'");
    }
}
