package dev.bascule.stats;

/**
 * Somewhere the account of each finished request goes besides the counters: the access log, tracing.
 *
 * <p>Threading: called on event loops, once per request; must return at once, never block, and copy what it keeps
 * (the record is reused).
 */
public interface RecordSink {

    void accept(ExchangeRecord record);
}
