package dev.bascule.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading admin.token_file: its first line, errors located at the key, the token kept out of every message. */
class AdminTokenTest {
    @TempDir
    Path dir;

    private static BasculeConfig config(Path tokenFile) throws Exception {
        return ConfigLoaderTest.LOADER.parse("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                admin:
                  address: 127.0.0.1:9901
                  token_file: '%s'
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { upstream: web } ]
                """.formatted(tokenFile), "t.yaml");
    }

    private AdminToken read(String content) throws Exception {
        Path file = dir.resolve("admin.token");
        Files.writeString(file, content);
        return AdminToken.read(config(file));
    }

    /** The one error reading {@code content} gives, as printed. */
    private String error(String content) throws Exception {
        Path file = dir.resolve("admin.token");
        Files.writeString(file, content);
        return error(file);
    }

    private static String error(Path file) throws Exception {
        BasculeConfig config = config(file);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> AdminToken.read(config));
        assertThat(e).as("expected the token file to be refused").isNotNull();
        assertThat(e.errors()).hasSize(1);
        return e.errors().get(0).toString();
    }

    @Test
    void theTokenIsTheFirstLineWithoutItsLineEndOrSurroundingBlanks() throws Exception {
        AdminToken token = read(" \tAbc-123._~+/xyz==\r\nsecond line is not read\n");

        assertThat(token.matches("Abc-123._~+/xyz==")).isTrue();
        assertThat(token.matches("Abc-123._~+/xyz=")).as("a prefix").isFalse();
        assertThat(token.matches("Abc-123._~+/xyz==x")).as("longer").isFalse();
        assertThat(token.matches("abc-123._~+/xyz==")).as("case matters").isFalse();
        assertThat(token.matches("")).isFalse();
        assertThat(read("no-line-end").matches("no-line-end")).isTrue();
    }

    @Test
    void theTokenNeverShowsInItsTextForm() throws Exception {
        AdminToken token = read("hush-hush-42\n");

        assertThat(token.toString()).doesNotContain("hush");
        assertThat(config(dir.resolve("admin.token")).toString()).doesNotContain("hush");
    }

    @Test
    void noAdminOrNoTokenFileIsNoToken() throws Exception {
        assertThat(AdminToken.read(ConfigLoaderTest.LOADER.parse("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                admin: { address: 127.0.0.1:9901 }
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { upstream: web } ]
                """, "t.yaml"))).isNull();
        assertThat(AdminToken.read(ConfigLoaderTest.LOADER.parse("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { upstream: web } ]
                """, "t.yaml"))).isNull();
    }

    @Test
    void aFileThatCannotBeUsedIsAnErrorAtTheTokenFileKey() throws Exception {
        Path missing = dir.resolve("missing.token");
        assertThat(error(missing)).isEqualTo("t.yaml:4:3: token_file " + missing + ": cannot read it: no such file");
        assertThat(error(dir)).startsWith("t.yaml:4:3: token_file " + dir + ": cannot read it: ");
        String file = dir.resolve("admin.token").toString();
        assertThat(error("")).isEqualTo("t.yaml:4:3: token_file " + file
                + ": its first line is empty; it must hold the token");
        assertThat(error(" \r\nthe-token-on-line-two\n")).as("the first line counts")
                .isEqualTo("t.yaml:4:3: token_file " + file + ": its first line is empty; it must hold the token");
        assertThat(error("a".repeat(AdminToken.MAX_LENGTH + 1))).isEqualTo("t.yaml:4:3: token_file " + file
                + ": its first line is longer than 4096 bytes; it should hold the token alone");
        assertThat(read("a".repeat(AdminToken.MAX_LENGTH) + "\r\n").matches("a".repeat(AdminToken.MAX_LENGTH)))
                .as("the longest token").isTrue();
    }

    @Test
    void aFirstLineThatIsNoBearerTokenIsRefusedWithoutQuotingIt() throws Exception {
        for (String bad : new String[] {"secret words", "sécret", "abc=def", "=abc", "a\"b", "Bearer:abc"}) {
            assertThat(error(bad + "\n")).as(bad)
                    .endsWith(": its first line is not a bearer token: RFC 6750 §2.1 allows letters, digits and"
                            + " - . _ ~ + / then trailing =")
                    .doesNotContain("secret", "sécret", "abc", "Bearer");
        }
    }
}
