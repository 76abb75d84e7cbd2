package dev.bascule.health;

import dev.bascule.config.PassiveConfig;
import dev.bascule.upstream.AttemptFailure;
import dev.bascule.upstream.ServerState;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passive health: counts the failures real traffic meets on each server and ejects a server whose failures in a
 * row reach its pool's threshold, for a time that grows with each ejection, never ejecting more than the pool's
 * {@code max_ejected_percent}. An ejection caused by unreachability alone (connect failures, resets, timeouts)
 * ends at the next passing active probe, as Envoy does by default, so a restarted origin is back within a probe
 * interval; one whose run included 5xx answers runs its course, or a server that passes {@code /health} while
 * failing real requests would flap.
 *
 * <p>Threading: {@link #failed} and {@link #succeeded} run on event loops and touch only per-server atomics; the
 * other methods run on the control thread, which owns every ejection.
 */
public final class EjectionPolicy {
    private static final Logger log = LoggerFactory.getLogger(EjectionPolicy.class);
    /** Ejection time grows with each ejection, up to this (or the base time, if that is longer). */
    static final Duration MAX_EJECTION = Duration.ofMinutes(5);

    private final LongSupplier nanoTime;

    /** @param nanoTime the control plane's clock */
    public EjectionPolicy(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /**
     * Counts a failed attempt.
     *
     * @param threshold the pool's failures in a row that eject; 0 when passive checks are off
     * @return true exactly once per run: when this failure reached the threshold, so the control plane should
     *     {@link #consider} an ejection
     */
    public static boolean failed(ServerState server, AttemptFailure failure, int threshold) {
        int inARow = server.recordFailure(failure);
        return threshold > 0 && inARow == threshold;
    }

    /** Counts a successful attempt: the run of failures is over. */
    public static void succeeded(ServerState server) {
        server.recordSuccess();
    }

    /**
     * Ejects a server whose failures reached the threshold, unless it is ejected already or that would take out
     * more of its pool than allowed.
     *
     * @param pool the state of every member of the server's pool, itself included
     * @return how long it is ejected for, or null when it was not ejected
     */
    public Duration consider(String upstream, String address, ServerState server, PassiveConfig passive,
            List<ServerState> pool, int failures) {
        long now = nanoTime.getAsLong();
        if (server.ejectedAt(now) || passive.consecutiveFailures() == 0) {
            return null;
        }
        int ejected = 0;
        for (ServerState s : pool) {
            if (s.ejectedAt(now)) {
                ejected++;
            }
        }
        if ((ejected + 1) * 100 > passive.maxEjectedPercent() * pool.size()) {
            log.warn("upstream {} server {} failing ({} in a row) but not ejected: {}% of the pool is out already",
                    upstream, address, failures, ejected * 100 / pool.size());
            return null;
        }
        Duration length = length(passive.baseEjection(), server.ejections());
        boolean forAnswers = server.consecutiveAnswered() > 0;
        server.eject(now + length.toNanos(), forAnswers);
        log.warn("upstream {} server {} ejected for {} ms: {} failures in a row{}", upstream, address,
                length.toMillis(), failures, forAnswers ? ", 5xx among them" : "");
        return length;
    }

    /** The length of an ejection after {@code priorEjections} earlier ones: base times count, capped. */
    static Duration length(Duration base, int priorEjections) {
        Duration length = base.multipliedBy(priorEjections + 1L);
        Duration cap = base.compareTo(MAX_EJECTION) > 0 ? base : MAX_EJECTION;
        return length.compareTo(cap) > 0 ? cap : length;
    }

    /**
     * An ejection's time is up (its timer fired): ends it unless a later ejection replaced it.
     *
     * @return whether it ended
     */
    public boolean expire(ServerState server) {
        if (server.ejectedUntilNanos() == 0 || server.ejectedAt(nanoTime.getAsLong())) {
            return false;
        }
        server.clearEjection();
        server.setRoutableSinceNanos(nanoTime.getAsLong());
        return true;
    }

    /**
     * A server passed an active probe: ends its ejection if unreachability alone caused it.
     *
     * @return whether an ejection ended
     */
    public boolean probePassed(ServerState server) {
        if (!server.ejectedAt(nanoTime.getAsLong()) || server.ejectedForAnswers()) {
            return false;
        }
        server.clearEjection();
        server.setRoutableSinceNanos(nanoTime.getAsLong());
        return true;
    }
}
