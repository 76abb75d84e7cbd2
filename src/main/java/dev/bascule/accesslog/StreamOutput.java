package dev.bascule.accesslog;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A stream the log does not own, such as {@link System#out}: each batch is written and flushed; closing only
 * flushes.
 *
 * <p>Threading: the writer thread's, once built.
 */
final class StreamOutput implements LogOutput {
    private final OutputStream out;
    private final String name;

    StreamOutput(OutputStream out, String name) {
        this.out = out;
        this.name = name;
    }

    @Override
    public void write(byte[] bytes, int length) throws IOException {
        out.write(bytes, 0, length);
        out.flush();
    }

    @Override
    public void reopen() {}

    @Override
    public void close() {
        try {
            out.flush();
        } catch (IOException e) {
            // already counted by the write that failed
        }
    }

    @Override
    public String name() {
        return name;
    }
}
