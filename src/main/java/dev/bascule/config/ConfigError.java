package dev.bascule.config;

/** One problem in a config file, located at a line and column (1-based). */
public record ConfigError(String file, int line, int column, String message) {
    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": " + message;
    }
}
