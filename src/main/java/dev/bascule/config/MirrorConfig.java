package dev.bascule.config;

/**
 * A route's {@code mirror}: copies of a share of its requests go to another upstream as well, and their answers
 * are thrown away.
 *
 * @param upstream the upstream the copies go to; another than the route's own
 * @param perMillion the share of the route's requests copied, in millionths: {@code percent: 10} is 100,000
 *     (the percent may have up to four decimals, so one request in a million is the finest share)
 * @param maxInFlight copies outstanding at once for this route, on every event loop together; more are dropped
 */
public record MirrorConfig(String upstream, int perMillion, int maxInFlight) {
    public static final int DEFAULT_MAX_IN_FLIGHT = 100;
    public static final int ALL = 1_000_000;

    public MirrorConfig {
        if (perMillion <= 0 || perMillion > ALL || maxInFlight < 1) {
            throw new IllegalArgumentException("percent must be above 0 and at most 100, max_in_flight at least 1");
        }
    }

    /** The share as written, in percent: {@code 10}, {@code 0.5}. */
    public String percentText() {
        return java.math.BigDecimal.valueOf(perMillion, 4).stripTrailingZeros().toPlainString();
    }
}
