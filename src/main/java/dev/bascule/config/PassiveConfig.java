package dev.bascule.config;

import java.time.Duration;

/**
 * Outlier ejection on real traffic.
 *
 * @param consecutiveFailures connect failures, timeouts or 5xx in a row that eject a server; 0 turns it off
 * @param baseEjection an ejection lasts this times the number of times the server was ejected (capped)
 * @param maxEjectedPercent never eject more than this share of a pool at once
 */
public record PassiveConfig(int consecutiveFailures, Duration baseEjection, int maxEjectedPercent) {
    public static final PassiveConfig DEFAULTS = new PassiveConfig(5, Duration.ofSeconds(10), 50);
}
