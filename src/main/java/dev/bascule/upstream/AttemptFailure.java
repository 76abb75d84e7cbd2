package dev.bascule.upstream;

/** How one attempt to have a server answer a request failed, as passive health counts it. */
public enum AttemptFailure {
    /** The connection (or its TLS handshake) could not be opened. */
    CONNECT(false),
    /** The connection closed or broke before a whole response head arrived. */
    RESET(false),
    /** No response head within the response timeout. */
    TIMEOUT(false),
    /** The server answered with a 5xx status. */
    STATUS_5XX(true);

    private final boolean answered;

    AttemptFailure(boolean answered) {
        this.answered = answered;
    }

    /**
     * Whether the server itself answered: it is reachable and failing requests. A server that passes its health
     * check while failing real requests this way must stay ejected, or it would flap.
     */
    public boolean answered() {
        return answered;
    }
}
