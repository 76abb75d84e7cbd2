package dev.bascule.control;

import dev.bascule.state.ReleaseState;
import dev.bascule.state.ReleaseStateStore;
import dev.bascule.state.StateStoreException;
import dev.bascule.state.Versioned;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the runtime changes in a {@link ReleaseStateStore}, on a thread of its own: writing a file with fsync
 * takes milliseconds, which neither an event loop nor the control thread (whose publishes would wait) should
 * spend. Saves coalesce: while one write runs, only the latest state waits, and it is written next. A failed
 * write is logged and changes nothing running; the next change writes the whole state again.
 *
 * <p>Threading: {@link #load} once at start, before any save; {@link #save} from the control thread; the store
 * is used on the writer thread only after that.
 */
final class StateKeeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StateKeeper.class);
    private static final long CLOSE_WAIT_SECONDS = 5;

    /** Null when runtime changes are not kept ({@code state_file: off}). */
    private final ReleaseStateStore store;
    private final ExecutorService writer;
    /** The state waiting to be written; set by the control thread, taken by the writer. */
    private final AtomicReference<ReleaseState> pending = new AtomicReference<>();
    /** The store's version as last read or written; writer thread only after {@link #load}. */
    private long version;

    StateKeeper(ReleaseStateStore store) {
        this.store = store;
        this.writer = store == null ? null
                : Executors.newSingleThreadExecutor(new DefaultThreadFactory("bascule-state", true));
    }

    /**
     * The stored changes; none when there is no store, nothing stored yet, or what is stored cannot be used (then
     * a log line says why, and the proxy starts from its file alone).
     */
    ReleaseState load() {
        if (store == null) {
            return ReleaseState.EMPTY;
        }
        try {
            Versioned v = store.load();
            version = v.version();
            if (!v.state().isEmpty()) {
                log.info("runtime changes read from {}: {} split(s), {} server change(s), {} rollout(s)",
                        store.describe(), v.state().splits().size(), v.state().servers().size(),
                        v.state().rollouts().size());
            }
            return v.state();
        } catch (StateStoreException e) {
            log.warn("state file {} ignored, starting from the config alone: {}", store.describe(), e.getMessage());
            return ReleaseState.EMPTY;
        }
    }

    /** Writes {@code state} soon, after any write under way; nothing without a store. */
    void save(ReleaseState state) {
        if (store == null) {
            return;
        }
        if (pending.getAndSet(state) == null) {
            try {
                writer.execute(this::writeLatest);
            } catch (RuntimeException closed) {
                pending.set(null); // closing: the last state was taken by the final write, or is lost with it
            }
        }
    }

    private void writeLatest() {
        ReleaseState state = pending.getAndSet(null);
        if (state == null) {
            return;
        }
        try {
            version = store.compareAndSet(version, state);
        } catch (StateStoreException.Conflict c) {
            // Another writer got there first; this process's view is the one it acts on, so it writes it again.
            log.warn("state {} changed under Bascule (version {}, not {}): writing the running state over it",
                    store.describe(), c.current(), version);
            version = c.current();
            retry(state);
        } catch (StateStoreException e) {
            log.warn("runtime changes not saved to {}: {}", store.describe(), e.getMessage());
        }
    }

    private void retry(ReleaseState state) {
        try {
            version = store.compareAndSet(version, state);
        } catch (StateStoreException e) {
            log.warn("runtime changes not saved to {}: {}", store.describe(), e.getMessage());
        }
    }

    /** Where changes are kept, for messages; null when they are not. */
    String describe() {
        return store == null ? null : store.describe();
    }

    /** Writes what is pending, then stops the writer (waiting a few seconds at most). */
    @Override
    public void close() {
        if (store == null) {
            return;
        }
        writer.shutdown();
        try {
            if (!writer.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                log.warn("the last runtime changes may not be saved to {}: the write did not finish",
                        store.describe());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }
}
