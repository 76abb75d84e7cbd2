package dev.bascule.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The access log: one line per finished request, where and in which format ({@code access_log: { to, format }}).
 *
 * @param to where lines go
 * @param file the file for {@link To#FILE}, resolved against the config file's folder; null otherwise
 * @param format how each line is written
 * @param line 1-based line of the {@code to} value (or of {@code access_log}), for an error found when the file is
 *     opened, long after binding; 0 for the default
 * @param column 1-based column of the same
 */
public record AccessLogConfig(To to, Path file, Format format, int line, int column) {

    /** No {@code access_log} key: JSON lines on standard output. */
    public static final AccessLogConfig DEFAULT = new AccessLogConfig(To.STDOUT, null, Format.JSON, 0, 0);

    /** {@code access_log: { to: off }}. */
    public static final AccessLogConfig OFF = new AccessLogConfig(To.OFF, null, Format.JSON, 0, 0);

    public enum To { STDOUT, STDERR, FILE, OFF }

    /** {@code json}: one JSON object a line; {@code combined}: Apache's combined format plus the request time. */
    public enum Format { JSON, COMBINED }

    public AccessLogConfig {
        Objects.requireNonNull(to);
        Objects.requireNonNull(format);
        if ((to == To.FILE) != (file != null)) {
            throw new IllegalArgumentException("a file is given with to: file, and only then");
        }
    }

    /**
     * Whether {@code other} writes the same lines to the same place, so a reload that brings it keeps the log
     * open; where the keys are written in the file does not count.
     */
    public boolean sameLog(AccessLogConfig other) {
        return to == other.to && Objects.equals(file, other.file) && (to == To.OFF || format == other.format);
    }
}
