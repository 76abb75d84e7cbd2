package dev.bascule.config;

import java.util.List;

/** A config was rejected; {@link #errors()} lists every problem found, in file order. */
public final class ConfigException extends Exception {
    private final List<ConfigError> errors;

    public ConfigException(List<ConfigError> errors) {
        super(errors.isEmpty() ? "invalid config" : errors.get(0).toString()
                + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : ""));
        this.errors = List.copyOf(errors);
    }

    public List<ConfigError> errors() {
        return errors;
    }
}
