package dev.bascule.control;

/**
 * A control command was refused; nothing changed. {@link #status()} is the HTTP status an admin API answers
 * with (400 bad input, 404 unknown upstream or server, 409 conflict).
 */
public final class CommandException extends RuntimeException {
    private final int status;

    public CommandException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
