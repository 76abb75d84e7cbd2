package dev.bascule.http1;

/**
 * Why a message was refused, carried by its failed {@code decoderResult}: a value, not a bug, so it has no stack
 * trace (building one would cost more than the request).
 *
 * <p>Threading: immutable.
 */
public final class MalformedHttpException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public MalformedHttpException(String message) {
        super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
