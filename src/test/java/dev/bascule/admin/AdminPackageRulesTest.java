package dev.bascule.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The admin API sits on top of the control plane: nothing in the main code imports it. */
class AdminPackageRulesTest {

    @Test
    void nothingOutsideTheAdminPackageImportsIt() throws IOException {
        List<String> offending;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java/dev/bascule"))) {
            offending = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !p.startsWith(Path.of("src/main/java/dev/bascule/admin")))
                    .flatMap(AdminPackageRulesTest::adminImports)
                    .toList();
        }
        assertThat(offending).isEmpty();
    }

    private static Stream<String> adminImports(Path file) {
        try {
            return Files.readAllLines(file).stream()
                    .map(String::trim)
                    .filter(l -> l.startsWith("import ") && l.contains("dev.bascule.admin."))
                    .map(l -> file + ": " + l);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
