package dev.bascule.control;

import dev.bascule.stats.ExchangeRecord;
import dev.bascule.stats.RetryReason;
import dev.bascule.upstream.AttemptFailure;
import dev.bascule.upstream.Server;

/**
 * The one way out of an exchange: what happened to each attempt to have a server answer, and the account of each
 * request when it is over. Passive health, metrics, the access log and tracing listen here; nothing reaches into
 * the exchange.
 *
 * <p>Threading: called on event loops; implementations must return at once and must not block. Only {@link
 * #exchangeEnded} may allocate, and only for what a listener must keep (an access-log line, a span).
 */
public interface ExchangeEvents {

    /** Ignores everything; for snapshots built without a control plane. */
    ExchangeEvents NONE = new ExchangeEvents() {
        @Override
        public void attemptSucceeded(Pool pool, Server server) {}

        @Override
        public void attemptFailed(Pool pool, Server server, AttemptFailure failure) {}

        @Override
        public void answered(Pool pool, Server server, int status, long responseNanos) {}

        @Override
        public void retried(Pool pool, RetryReason reason) {}

        @Override
        public void exchangeEnded(ExchangeRecord record) {}
    };

    /** {@code server} answered with a status below 500. */
    void attemptSucceeded(Pool pool, Server server);

    /** {@code server} failed an attempt: it could not be reached, broke off, timed out or answered 5xx. */
    void attemptFailed(Pool pool, Server server, AttemptFailure failure);

    /**
     * {@code server} sent a response head with {@code status}, {@code responseNanos} after the attempt started
     * (whether or not that answer goes to the client: a 5xx may be retried).
     */
    void answered(Pool pool, Server server, int status, long responseNanos);

    /** An attempt of a request to {@code pool} failed and another starts. */
    void retried(Pool pool, RetryReason reason);

    /**
     * A request is over: answered (by an origin or by Bascule), cut short, or abandoned by its client. The record
     * is valid during this call only.
     */
    void exchangeEnded(ExchangeRecord record);
}
