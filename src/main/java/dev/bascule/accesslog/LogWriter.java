package dev.bascule.accesslog;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop of a log's writer thread: takes each published slot of the ring in order, formats its line into a
 * buffer, and writes the buffer out in one call when it holds {@link #BATCH_BYTES} or the ring is empty. When the
 * ring is empty it parks for {@link #PARK_NANOS}: producers never wake it (an unpark per request would cost the
 * event loops a system call), so a line reaches the output at most that long after its request ended, and the
 * thread wakes a hundred times a second, busy or quiet. Each wake is a context switch, taken from an event loop
 * when they share a core: parking a millisecond at a time made the switches a quarter of the writer's CPU time at
 * 50,000 lines a second. At that rate one wake now formats some 500 lines and writes them in one call.
 *
 * <p>A reopen asked for (SIGUSR1) is done before the next line is formatted: every line offered after {@link
 * #requestReopen} returned goes to the file opened again. Lines that cannot be written (disk full, a closed
 * pipe) are counted dropped; the first failure is logged, and the return to normal.
 *
 * <p>Threading: {@link #run} on the writer thread; {@link #requestReopen} and {@link #awaitExit} from any.
 */
final class LogWriter implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(LogWriter.class);
    /**
     * Bytes formatted before they are written out even if more lines wait: ten milliseconds of lines at 50,000 a
     * second, so a busy log makes a write per wake. Each call costs the file system its own time update.
     */
    static final int BATCH_BYTES = 256 * 1024;
    static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** After retirement, a slot claimed but not yet published is only instructions away from being so. */
    private static final long RETIRED_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

    private final RecordRing ring;
    private final LineFormat format;
    private final LogOutput output;
    private final AtomicLong dropped;
    private final LineBuffer buffer = new LineBuffer(BATCH_BYTES + 4096);
    private final CountDownLatch exited = new CountDownLatch(1);
    /** Set by any thread, cleared by the writer. */
    private volatile boolean reopenRequested;

    // ---- writer thread only ----
    private int linesBuffered;
    private boolean failing;

    LogWriter(RecordRing ring, LineFormat format, LogOutput output, AtomicLong dropped) {
        this.ring = ring;
        this.format = format;
        this.output = output;
        this.dropped = dropped;
    }

    void requestReopen() {
        reopenRequested = true;
    }

    /** Waits until the writer has written out every line of its retired ring and closed its output. */
    boolean awaitExit(long timeout, TimeUnit unit) throws InterruptedException {
        return exited.await(timeout, unit);
    }

    @Override
    public void run() {
        try {
            for (;;) {
                Entry e = ring.peek();
                if (e != null) {
                    if (reopenRequested) {
                        reopen();
                    }
                    format(e);
                    ring.release(e);
                    if (buffer.size() >= BATCH_BYTES) {
                        writeOut();
                    }
                    continue;
                }
                writeOut();
                if (reopenRequested) {
                    reopen();
                }
                if (ring.drained()) {
                    return;
                }
                LockSupport.parkNanos(this, ring.retired() ? RETIRED_PARK_NANOS : PARK_NANOS);
            }
        } finally {
            output.close();
            exited.countDown();
        }
    }

    private void format(Entry e) {
        int start = buffer.size();
        try {
            format.append(e, buffer);
            linesBuffered++;
        } catch (IOException | RuntimeException ex) {
            buffer.truncate(start);
            format.reset();
            dropped.incrementAndGet();
            log.warn("access log {}: a line could not be formatted, dropped: {}", output.name(), ex.toString());
        }
    }

    private void writeOut() {
        if (buffer.size() == 0) {
            return;
        }
        try {
            output.write(buffer.array(), buffer.size());
            if (failing) {
                failing = false;
                log.info("access log {}: writing again", output.name());
            }
        } catch (IOException ex) {
            dropped.addAndGet(linesBuffered);
            if (!failing) {
                failing = true;
                log.error("access log {}: cannot write, lines are dropped until it works again: {}",
                        output.name(), ex.toString());
            }
        }
        buffer.truncate(0);
        linesBuffered = 0;
    }

    private void reopen() {
        reopenRequested = false;
        writeOut(); // what was formatted before the signal belongs to the old file
        try {
            output.reopen();
        } catch (IOException ex) {
            log.error("access log {}: cannot open it again, still writing to the old file: {}", output.name(),
                    ex.toString());
        }
    }
}
