package dev.bascule.limit;

/**
 * One route's global rate limit: GCRA buckets in Redis, one per client key, shared by every instance that uses the
 * same Redis and route, with {@link FallbackLimiter} to decide when Redis does not answer in time.
 *
 * <p>The data plane asks {@link #ask}, waits at most {@link #timeoutNanos} on its own timer, and decides with the
 * answer or with {@link #fallback}; it calls {@link #answeredInTime} when the answer came in time. Per check this
 * costs the key string ({@code prefix + client key}), a small object holding the check, and Lettuce's command.
 *
 * <p>Immutable apart from the buckets it refers to; kept across snapshots while the route and the {@code redis}
 * section stay the same. Threading: any method from any event loop.
 */
public final class GlobalRateLimit {
    private final RedisBuckets redis;
    /** {@code key_prefix} + route label + {@code ':'}: a route's buckets are its own. */
    private final String keyPrefix;
    /** The script's ARGV: interval and tolerance in microseconds, reused by every check. */
    private final String[] args;
    private final double ratePerSecond;
    private final int burst;
    private final FallbackLimiter fallback;

    /**
     * @param route the route's label, unique among the routes with a global limit
     * @param maxKeys client keys the local fallback tracks at most
     */
    public GlobalRateLimit(RedisBuckets redis, String route, double ratePerSecond, int burst, int maxKeys,
            LiveNodes nodes) {
        this.redis = redis;
        this.keyPrefix = redis.settings().keyPrefix() + route + ':';
        long interval = GcraScript.intervalMicros(ratePerSecond);
        this.args = new String[] {Long.toString(interval), Long.toString(interval * (burst - 1L))};
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
        this.fallback = new FallbackLimiter(ratePerSecond, burst, maxKeys, nodes);
    }

    /**
     * Sends the check of {@code clientKey} to Redis, unless an outage is under way (and this is not a probe's turn)
     * or the connection is down: then nothing is sent, and the caller decides at once with {@link #fallback}.
     *
     * @return whether an answer (or a failure) will come to {@code answer}
     */
    public boolean ask(String clientKey, long tag, BucketAnswer answer, long nowNanos) {
        if (!redis.shouldAsk(nowNanos)) {
            return false;
        }
        redis.ask(keyPrefix + clientKey, args, tag, answer);
        return true;
    }

    /**
     * Decides without Redis, on this instance's share of the limit; counted, and a few in a row start an outage
     * ({@link RedisBuckets#fellBack}).
     *
     * @param cause the failure Redis answered with, or null when it did not answer in time or was not asked
     * @return 0 when the request may pass, else the nanoseconds until it would
     */
    public long fallback(String clientKey, long nowNanos, Throwable cause) {
        redis.fellBack(nowNanos, cause);
        return fallback.tryAcquire(clientKey, nowNanos);
    }

    /** Redis answered within the timeout: an outage, if any, is over. */
    public void answeredInTime() {
        redis.answeredInTime();
    }

    /** How long a request may wait for Redis's answer. */
    public long timeoutNanos() {
        return redis.settings().timeoutNanos();
    }

    public double ratePerSecond() {
        return ratePerSecond;
    }

    public int burst() {
        return burst;
    }

    /** The Redis key of {@code clientKey}'s bucket, for explain and tests. */
    public String redisKey(String clientKey) {
        return keyPrefix + clientKey;
    }

    /** The local share used when Redis does not answer. */
    public FallbackLimiter fallbackLimiter() {
        return fallback;
    }

    /** Whether Redis is out now: requests are decided on the local share. */
    public boolean inOutage() {
        return redis.inOutage();
    }
}
