package dev.bascule.accesslog;

import dev.bascule.stats.ExchangeRecord;
import dev.bascule.stats.RecordSink;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The access log: a line for every finished request, written by a thread of its own so the event loops never
 * wait on a disk or a pipe. {@link #accept} copies the record into a preallocated slot of a {@link RecordRing}
 * (no allocation, no lock, no system call); the writer thread formats and writes the lines in batches. Should
 * the writer fall behind until every slot is taken, further lines are dropped and counted, and requests go on
 * at full speed.
 *
 * <p>A log is retired when a reload replaces it ({@link #retire}): records offered after that go to its successor,
 * while its writer writes out what it already holds, closes its output and ends. {@link #close} is the same with
 * no successor, waiting for the writer.
 *
 * <p>Threading: {@link #accept} on event loops, many at once; {@link #reopen}, {@link #retire} and {@link #close}
 * from any thread.
 */
public final class AccessLog implements RecordSink, AutoCloseable {
    /** Slots in the ring: about a tenth of a second of 100 000 requests a second (2.5 MB). */
    static final int CAPACITY = 16_384;
    private static final long CLOSE_WAIT_SECONDS = 5;

    private final RecordRing ring;
    private final AtomicLong dropped;
    private final LogWriter writer;
    private final Thread thread;
    /** Where records go once retired; written before the ring is retired, so a producer that sees it retired sees this. */
    private volatile RecordSink successor;

    AccessLog(LogOutput output, LineFormat format, AtomicLong dropped, int capacity) {
        this.ring = new RecordRing(capacity);
        this.dropped = dropped;
        this.writer = new LogWriter(ring, format, output, dropped);
        this.thread = new Thread(writer, "bascule-access-log");
        thread.setDaemon(true); // close() flushes on the way out; a log never keeps the JVM alive
        thread.start();
    }

    /**
     * Appends lines to {@code file}, created if missing. {@code SIGUSR1} ({@link #reopen}) opens it again by
     * name, for logrotate.
     *
     * @param dropped counts the lines lost; kept by the caller across the logs a reload replaces
     * @throws IOException when the file cannot be opened for appending
     */
    public static AccessLog toFile(Path file, LineFormat format, AtomicLong dropped) throws IOException {
        return new AccessLog(new FileOutput(file), format, dropped, CAPACITY);
    }

    /**
     * Writes lines to {@code out}, a stream it does not close (standard output or error).
     *
     * @param name how messages name it: {@code stdout}
     */
    public static AccessLog toStream(OutputStream out, String name, LineFormat format, AtomicLong dropped) {
        return new AccessLog(new StreamOutput(out, name), format, dropped, CAPACITY);
    }

    /** Copies the record's line into the ring, or counts it dropped when the ring is full; never waits. */
    @Override
    public void accept(ExchangeRecord record) {
        int outcome = ring.offer(record);
        if (outcome == RecordRing.FULL) {
            dropped.incrementAndGet();
        } else if (outcome == RecordRing.RETIRED) {
            RecordSink next = successor;
            if (next != null) {
                next.accept(record);
            }
        }
    }

    /** Opens the file again by its name before the next line, on the writer thread; nothing for a stream. */
    public void reopen() {
        writer.requestReopen();
        LockSupport.unpark(thread);
    }

    /**
     * Takes no more records: those offered from now on go to {@code successor} (none when null), while the writer
     * writes out those it holds, closes the output and ends. Returns at once.
     */
    public void retire(RecordSink successor) {
        this.successor = successor;
        ring.retire();
        LockSupport.unpark(thread);
    }

    /** Waits until the writer has written out every line of a retired log and closed its output. */
    public boolean awaitClosed(long timeout, TimeUnit unit) throws InterruptedException {
        return writer.awaitExit(timeout, unit);
    }

    /** Retires the log with no successor and waits (up to 5 seconds) for its last lines to be written. */
    @Override
    public void close() {
        retire(null);
        try {
            awaitClosed(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
