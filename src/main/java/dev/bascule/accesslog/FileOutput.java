package dev.bascule.accesslog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A log file, opened for appending ({@code O_APPEND}), so lines land at its end even when logrotate's {@code
 * copytruncate} empties it or another process appends to it.
 *
 * <p>Threading: the writer thread's, once opened.
 */
final class FileOutput implements LogOutput {
    private final Path path;
    private FileChannel channel;

    FileOutput(Path path) throws IOException {
        this.path = path;
        this.channel = open(path);
    }

    private static FileChannel open(Path path) throws IOException {
        return FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    @Override
    public void write(byte[] bytes, int length) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes, 0, length);
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    @Override
    public void reopen() throws IOException {
        FileChannel fresh = open(path); // first, so a failure leaves the old file in use
        FileChannel old = channel;
        channel = fresh;
        close(old);
    }

    @Override
    public void close() {
        close(channel);
    }

    private static void close(FileChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // a close failing after every write succeeded loses nothing
        }
    }

    @Override
    public String name() {
        return path.toString();
    }
}
