package dev.bascule.control;

import java.util.Objects;

/**
 * The one reference through which the data plane sees the current snapshot.
 *
 * <p>Threading: {@link #get()} is called from every event loop and never blocks; {@link #publish} is called by
 * the control plane, serialized by the caller.
 */
public final class LiveSnapshot {
    private volatile Snapshot current;

    public LiveSnapshot(Snapshot initial) {
        this.current = Objects.requireNonNull(initial, "initial");
    }

    public Snapshot get() {
        return current;
    }

    public void publish(Snapshot next) {
        current = Objects.requireNonNull(next, "next");
    }
}
