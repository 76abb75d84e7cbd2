package dev.bascule.limit;

/**
 * Where Redis's answer to one check goes. Each check carries a {@code tag} chosen by the asker, handed back as is,
 * so an answer that arrives after its request was decided otherwise can be recognised and ignored.
 *
 * <p>Threading: called once per check, on the Redis client's I/O thread (or on the asking thread when the command
 * is refused at once); an implementation hands the result to its own thread and must not block.
 */
public interface BucketAnswer {
    /**
     * Redis decided.
     *
     * @param waitMicros 0 when the request may pass (a token was taken), else the microseconds until it would
     */
    void answered(long tag, long waitMicros);

    /** Redis could not answer: not connected, a command timeout, an error from the server. */
    void failed(long tag, Throwable cause);
}
