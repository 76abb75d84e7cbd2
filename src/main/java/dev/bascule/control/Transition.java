package dev.bascule.control;

import java.time.Instant;

/**
 * One change of a server's state, as the dashboard's event list shows it.
 *
 * <p>Immutable.
 *
 * @param sequence increases by one with each transition recorded, so a reader can tell which ones it has seen
 * @param at when the control plane applied it (wall clock)
 * @param kind {@code health} (an active check's verdict changed), {@code ejection} (passive health ejected the
 *     server or let it back), {@code drain} (an operator drained or undrained it) or {@code membership} (added or
 *     removed through the admin API)
 * @param from the state before: for {@code health} the verdict ({@code healthy}, {@code unhealthy}), otherwise as
 *     {@code /status} names it ({@link StatusReport#STATES}), or {@code absent} before an addition
 * @param to the state after, named the same way, or {@code removed}
 * @param reason why, in words: the failed check's problem, the failures that ejected it, who drained it
 */
public record Transition(long sequence, Instant at, String kind, String upstream, String server, String from,
        String to, String reason) {}
