package dev.bascule.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;

/**
 * The release state in one JSON file ({@code state_file}), replaced atomically: the new content is written to a
 * temporary file beside it and forced to disk, renamed over the old one, and the folder is forced too, so that a
 * crash at any moment leaves either the old state or the new one, never a mix (POSIX rename(2); fsync(2) of the
 * folder makes the rename itself durable).
 *
 * <p>The version is kept in the file. This store assumes it is the only writer of its file: the version a
 * conditional write is compared with is the one it last read or wrote, and a file edited by hand while Bascule
 * runs is replaced at the next change.
 *
 * <p>Threading: not thread-safe; one thread at a time (the control plane's state writer). It blocks on file I/O.
 */
public final class FileStateStore implements ReleaseStateStore {
    private final Path file;
    private final Clock clock;
    /** The version last read or written; 0 before either, or when the file held nothing valid. */
    private long version;

    public FileStateStore(Path file, Clock clock) {
        this.file = file.toAbsolutePath();
        this.clock = clock;
    }

    @Override
    public Versioned load() throws StateStoreException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            version = 0;
            return Versioned.NONE;
        } catch (IOException e) {
            throw new StateStoreException("cannot read " + file + ": " + e.getMessage(), e);
        }
        Versioned v = StateJson.read(bytes);
        version = v.version();
        return v;
    }

    @Override
    public long compareAndSet(long expectedVersion, ReleaseState next) throws StateStoreException {
        if (expectedVersion != version) {
            throw new StateStoreException.Conflict(expectedVersion, version);
        }
        long nextVersion = version + 1;
        byte[] bytes = StateJson.write(nextVersion, clock.instant(), next);
        Path folder = file.getParent();
        Path temporary = folder.resolve("." + file.getFileName() + ".tmp");
        try {
            try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new StateStoreException("cannot replace " + file + " atomically: " + e.getMessage(), e);
            }
            forceFolder(folder);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // the write failed already; the report below says why
            }
            throw new StateStoreException("cannot write " + file + ": " + e, e);
        }
        version = nextVersion;
        return nextVersion;
    }

    /** Makes the rename durable; a platform that cannot open a folder for it (not Linux) is left to its own. */
    private static void forceFolder(Path folder) {
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Some systems refuse to open a directory as a channel; the rename is then as durable as they make it.
        }
    }

    @Override
    public String describe() {
        return file.toString();
    }
}
