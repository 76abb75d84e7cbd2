package dev.bascule.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Collects every problem found in one config file so the user sees all of them at once, not one per run.
 * Used by a single thread for the duration of one load.
 */
final class Problems {
    private final String file;
    private final List<ConfigError> errors = new ArrayList<>();

    Problems(String file) {
        this.file = file;
    }

    String file() {
        return file;
    }

    void add(YamlNode.Mark at, String message) {
        errors.add(new ConfigError(file, at.line(), at.column(), message));
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    /** Throws every problem collected so far, sorted by position (stable, so ties keep discovery order). */
    void throwIfAny() throws ConfigException {
        if (!errors.isEmpty()) {
            List<ConfigError> sorted = new ArrayList<>(errors);
            sorted.sort(Comparator.comparingInt(ConfigError::line).thenComparingInt(ConfigError::column));
            throw new ConfigException(sorted);
        }
    }
}
