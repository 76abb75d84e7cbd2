package dev.bascule.control;

import dev.bascule.upstream.AttemptFailure;
import dev.bascule.upstream.Server;

/**
 * The one way out of an exchange: what happened to each attempt to have a server answer. Passive health
 * listens here; nothing reaches into the exchange.
 *
 * <p>Threading: called on event loops; implementations must return at once and must not block or allocate.
 */
public interface ExchangeEvents {

    /** Ignores everything; for snapshots built without a control plane. */
    ExchangeEvents NONE = new ExchangeEvents() {
        @Override
        public void attemptSucceeded(Pool pool, Server server) {}

        @Override
        public void attemptFailed(Pool pool, Server server, AttemptFailure failure) {}
    };

    /** {@code server} answered with a status below 500. */
    void attemptSucceeded(Pool pool, Server server);

    /** {@code server} failed an attempt: it could not be reached, broke off, timed out or answered 5xx. */
    void attemptFailed(Pool pool, Server server, AttemptFailure failure);
}
