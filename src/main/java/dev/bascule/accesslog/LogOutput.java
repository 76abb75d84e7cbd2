package dev.bascule.accesslog;

import java.io.IOException;

/**
 * Where a log's bytes go: a file ({@link FileOutput}) or a stream such as standard output ({@link StreamOutput}).
 *
 * <p>Threading: opened by whoever builds the log, then used by its writer thread alone.
 */
interface LogOutput {

    /** Writes {@code length} bytes of {@code bytes}, whole lines, all of them or an exception. */
    void write(byte[] bytes, int length) throws IOException;

    /**
     * Opens the file again by its name, after logrotate renamed it; on failure the old file stays in use. Nothing
     * for a stream.
     */
    void reopen() throws IOException;

    void close();

    /** For messages: the path, or {@code stdout}. */
    String name();
}
