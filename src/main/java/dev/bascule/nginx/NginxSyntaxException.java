package dev.bascule.nginx;

/** A file nginx itself would refuse to read: an unclosed block or quote, a stray brace, a directive without ';'. */
public final class NginxSyntaxException extends Exception {
    private final int line;

    NginxSyntaxException(int line, String message) {
        super(message);
        this.line = line;
    }

    /** The 1-based line where reading stopped. */
    public int line() {
        return line;
    }
}
