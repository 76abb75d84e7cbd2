package dev.bascule.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The config package knows the file format, not the proxy: no Netty, no other Bascule package. */
class ConfigPackageRulesTest {

    @Test
    void importsNoNettyAndNoOtherBasculePackage() throws IOException {
        List<String> offending;
        try (Stream<Path> files = Files.list(Path.of("src/main/java/dev/bascule/config"))) {
            offending = files.filter(p -> p.toString().endsWith(".java"))
                    .flatMap(ConfigPackageRulesTest::forbiddenImports)
                    .toList();
        }
        assertThat(offending).isEmpty();
    }

    private static Stream<String> forbiddenImports(Path file) {
        try {
            return Files.readAllLines(file).stream()
                    .map(String::trim)
                    .filter(l -> l.startsWith("import "))
                    .filter(l -> l.contains("io.netty.") || l.contains("dev.bascule.") && !l.contains("dev.bascule.config."))
                    .map(l -> file.getFileName() + ": " + l);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
