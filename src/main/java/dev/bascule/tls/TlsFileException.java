package dev.bascule.tls;

import java.nio.file.Path;

/** A certificate, key or CA file could not be used; the message names the file and says why. */
public final class TlsFileException extends Exception {
    private final Path file;

    TlsFileException(Path file, String reason) {
        super(file + ": " + reason);
        this.file = file;
    }

    TlsFileException(Path file, String reason, Throwable cause) {
        super(file + ": " + reason, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
