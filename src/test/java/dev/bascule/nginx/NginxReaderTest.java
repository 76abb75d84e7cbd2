package dev.bascule.nginx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** nginx's config syntax as nginx reads it: words, quotes, escapes, comments, blocks, and the errors it refuses. */
class NginxReaderTest {

    @Test
    void directivesBlocksAndLines() throws Exception {
        List<Directive> top = NginxReader.read("""
                user nginx;   # a comment
                events { worker_connections 1024; }
                http {
                    server {
                        listen 80;
                        location / { proxy_pass http://web; }
                    }
                }
                """);
        assertThat(top).extracting(Directive::name).containsExactly("user", "events", "http");
        assertThat(top.get(0).args()).containsExactly("nginx");
        assertThat(top.get(0).isBlock()).isFalse();
        Directive server = top.get(2).block().get(0);
        assertThat(server.line()).isEqualTo(4);
        Directive location = server.block().get(1);
        assertThat(location.args()).containsExactly("/");
        assertThat(location.line()).isEqualTo(6);
        assertThat(location.block().get(0).text()).isEqualTo("proxy_pass http://web");
    }

    @Test
    void quotesEscapesAndVariables() throws Exception {
        List<Directive> top = NginxReader.read("""
                a "two words" 'single "inner"' "semi;colon {brace}" "esc\\"aped\\\\ tab\\tend";
                b un\\;quoted x#not-a-comment ${var}suffix "\\d+" "multi
                line";
                c "";
                """);
        assertThat(top.get(0).args()).containsExactly("two words", "single \"inner\"", "semi;colon {brace}",
                "esc\"aped\\ tab\tend");
        assertThat(top.get(1).args()).containsExactly("un\\;quoted", "x#not-a-comment", "${var}suffix", "\\d+",
                "multi\nline");
        assertThat(top.get(2).args()).containsExactly("");
        assertThat(top.get(2).line()).as("lines inside a quoted word are counted").isEqualTo(4);
    }

    @Test
    void aByteOrderMarkAndCommentsOnly() throws Exception {
        assertThat(NginxReader.read("\uFEFF# nothing\n\n   # at all\n")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            http { server { }                 | 1 | unexpected end of file, expecting '}'
            }                                 | 1 | unexpected '}'
            a b                               | 1 | unexpected end of file, expecting ';' or '}' after 'a b'
            'http { listen 80 }'              | 1 | unexpected '}' after 'listen 80': a directive ends with ';'
            ;                                 | 1 | unexpected ';'
            'a "open;'                        | 1 | unexpected end of file in a string started with "
            'a "x"y;'                         | 1 | unexpected 'y' after the quoted string "x"
            'a ${open;'                       | 1 | unclosed variable '${'
            """)
    void whatNginxRefusesIsRefusedWithItsLine(String text, int line, String message) {
        NginxSyntaxException e = catchThrowableOfType(NginxSyntaxException.class, () -> NginxReader.read(text));
        assertThat(e).isNotNull();
        assertThat(e.line()).isEqualTo(line);
        assertThat(e.getMessage()).isEqualTo(message);
    }

    @Test
    void theLineOfAnErrorIsWhereReadingStopped() {
        NginxSyntaxException e = catchThrowableOfType(NginxSyntaxException.class,
                () -> NginxReader.read("http {\n  server {\n    listen 80;\n  }\n\n"));
        assertThat(e.line()).isEqualTo(6);
    }
}
