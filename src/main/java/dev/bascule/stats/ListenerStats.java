package dev.bascule.stats;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts of one listener: bytes each way, TLS handshakes that failed, and client connections by the protocol
 * they settled on. Lives as long as a listener of that name is configured.
 *
 * <p>Threading: recorded on any event loop, read on any thread.
 */
public final class ListenerStats {
    /** The {@code protocol} label values, by {@link #HTTP1}, {@link #H2}, {@link #NONE}. */
    public static final String[] PROTOCOLS = {"http1", "h2", "none"};
    public static final int HTTP1 = 0;
    public static final int H2 = 1;
    /** A connection that closed before it settled on a protocol (a failed TLS handshake, an idle socket). */
    public static final int NONE = 2;

    private final String name;
    private final int slot;
    private final LongAdder received = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder tlsHandshakeFailures = new LongAdder();
    private final LongAdder[] accepted = {new LongAdder(), new LongAdder(), new LongAdder()};
    private final LongAdder[] open = {new LongAdder(), new LongAdder(), new LongAdder()};

    /** @param slot a small number, unique among live listeners, that indexes per-listener series of a route */
    ListenerStats(String name, int slot) {
        this.name = name;
        this.slot = slot;
    }

    /** A listener that counts into nothing anyone reads; for connections built without a snapshot's stats. */
    public static ListenerStats detached(String name) {
        return new ListenerStats(name, 0);
    }

    public String name() {
        return name;
    }

    public int slot() {
        return slot;
    }

    public void transferred(long in, long out) {
        if (in > 0) {
            received.add(in);
        }
        if (out > 0) {
            sent.add(out);
        }
    }

    public void tlsHandshakeFailed() {
        tlsHandshakeFailures.increment();
    }

    /** A connection settled on {@code protocol} ({@link #HTTP1} or {@link #H2}). */
    public void connectionOpened(int protocol) {
        accepted[protocol].increment();
        open[protocol].increment();
    }

    /** A connection closed; {@code protocol} is what it settled on, or {@link #NONE}. */
    public void connectionClosed(int protocol) {
        if (protocol == NONE) {
            accepted[NONE].increment();
        } else {
            open[protocol].decrement();
        }
    }

    public long received() {
        return received.sum();
    }

    public long sent() {
        return sent.sum();
    }

    public long tlsHandshakeFailures() {
        return tlsHandshakeFailures.sum();
    }

    public long accepted(int protocol) {
        return accepted[protocol].sum();
    }

    public long open(int protocol) {
        return open[protocol].sum();
    }
}
