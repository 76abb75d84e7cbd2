package dev.bascule.proxy;

import dev.bascule.stats.ExchangeRecord;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;

/**
 * The exchange records of one event loop's HTTP/1.1 connections (proxied, or redirected to HTTPS): a connection
 * borrows one when a request opens and gives it back once its exchange events have read it, so that an idle
 * keep-alive connection holds none (a record is 160 bytes) while a busy one still allocates none per request.
 *
 * <p>Records are lent from and returned to the thread that runs the connection; each thread keeps at most {@link
 * #KEPT} spare ones, the rest after a burst go to the collector.
 *
 * <p>Threading: static methods, each working on the calling thread's own pool.
 */
final class RecordPool {
    /** Spare records kept per thread: more than the requests one event loop has in flight at most times. */
    static final int KEPT = 1024;

    private static final FastThreadLocal<RecordPool> POOLS = new FastThreadLocal<>() {
        @Override
        protected RecordPool initialValue() {
            return new RecordPool();
        }
    };

    private final ArrayDeque<ExchangeRecord> spare = new ArrayDeque<>();
    /**
     * What a connection hands out as its record while none is open: writes that come after a request's account
     * was closed (none should) land here and are never read, instead of in a record lent to another connection.
     */
    private final ExchangeRecord unread = new ExchangeRecord();

    private RecordPool() {}

    /** A record to open a request's account in; {@link ExchangeRecord#begin} clears what it held. */
    static ExchangeRecord borrow() {
        ExchangeRecord r = POOLS.get().spare.pollLast();
        return r != null ? r : new ExchangeRecord();
    }

    /** Takes back a record whose account is closed and whose text was forgotten; the caller keeps no reference. */
    static void giveBack(ExchangeRecord record) {
        ArrayDeque<ExchangeRecord> spare = POOLS.get().spare;
        if (spare.size() < KEPT) {
            spare.addLast(record);
        }
    }

    /** The calling thread's record for writes that come while no account is open; nothing reads it. */
    static ExchangeRecord unread() {
        return POOLS.get().unread;
    }
}
