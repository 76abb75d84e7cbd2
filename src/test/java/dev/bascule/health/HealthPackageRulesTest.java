package dev.bascule.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Health checks are control plane: the data plane does not use them, and they do not use it. Every line counts,
 * not just imports, so a fully qualified name cannot slip through.
 */
class HealthPackageRulesTest {

    @Test
    void healthUsesNoDataPlaneOrAdminPackage() throws IOException {
        assertThat(importsIn("health", "dev.bascule.proxy.", "dev.bascule.origin.", "dev.bascule.admin.")).isEmpty();
    }

    @Test
    void dataPlaneDoesNotUseHealth() throws IOException {
        assertThat(importsIn("proxy", "dev.bascule.health.")).isEmpty();
        assertThat(importsIn("origin", "dev.bascule.health.")).isEmpty();
    }

    private static List<String> importsIn(String pkg, String... forbidden) throws IOException {
        Path dir = Path.of("src/main/java/dev/bascule", pkg);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".java"))
                    .flatMap(p -> lines(p).stream()
                            .map(String::trim)
                            .filter(l -> Stream.of(forbidden).anyMatch(l::contains))
                            .map(l -> p.getFileName() + ": " + l))
                    .toList();
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
