package dev.bascule.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The demo's config, {@code examples/labs.yaml} as shipped, moved onto the addresses a test gives (ephemeral
 * ports): tests of the demo run the file itself, not a copy that could drift from it.
 *
 * <p>Stateless.
 */
public final class DemoConfig {
    public static final Path FILE = Path.of("examples/labs.yaml");

    private DemoConfig() {}

    /**
     * The file's text with its listener, admin and origin addresses replaced.
     *
     * @param origins the addresses of blue-01, blue-02, green-01 and green-02, which the file has on ports 9001 to
     *     9004
     */
    public static String onAddresses(String listener, String admin, List<String> origins) throws IOException {
        if (origins.size() != 4) {
            throw new IllegalArgumentException("the demo has four origins");
        }
        String yaml = Files.readString(FILE);
        yaml = replaceOnce(yaml, "127.0.0.1:8080", listener);
        yaml = replaceOnce(yaml, "127.0.0.1:9901", admin);
        for (int i = 0; i < 4; i++) {
            yaml = replaceOnce(yaml, "127.0.0.1:900" + (i + 1), origins.get(i));
        }
        return yaml;
    }

    /** Replaces the one place {@code from} is written; fails when the file has it nowhere or twice. */
    private static String replaceOnce(String text, String from, String to) {
        int at = text.indexOf(from);
        if (at < 0 || text.indexOf(from, at + 1) >= 0) {
            throw new IllegalStateException(FILE + " should name " + from + " exactly once");
        }
        return text.substring(0, at) + to + text.substring(at + from.length());
    }
}
