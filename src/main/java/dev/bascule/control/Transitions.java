package dev.bascule.control;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The last server state changes (health verdicts, ejections and their end, drains, additions and removals), at
 * most {@link #CAPACITY}: the oldest goes when a new one comes.
 *
 * <p>Threading: confined to the control thread; the admin API reads a copy through {@link
 * ControlPlane#transitions()}.
 */
final class Transitions {
    static final int CAPACITY = 200;

    private final Clock clock;
    private final ArrayDeque<Transition> recent = new ArrayDeque<>(CAPACITY);
    private long sequence;

    Transitions(Clock clock) {
        this.clock = clock;
    }

    void record(String kind, String upstream, String server, String from, String to, String reason) {
        if (recent.size() == CAPACITY) {
            recent.removeFirst();
        }
        recent.addLast(new Transition(++sequence, clock.instant(), kind, upstream, server, from, to, reason));
    }

    /** Oldest first. */
    List<Transition> list() {
        return new ArrayList<>(recent);
    }
}
