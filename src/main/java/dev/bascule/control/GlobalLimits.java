package dev.bascule.control;

import dev.bascule.config.RateLimitConfig;
import dev.bascule.config.RedisConfig;
import dev.bascule.config.RouteConfig;
import dev.bascule.limit.GlobalRateLimit;
import dev.bascule.limit.LiveNodes;
import dev.bascule.limit.RedisBuckets;
import dev.bascule.limit.RedisSettings;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * The global rate limits of the config in force: the connection to its {@code redis} (opened when a config first
 * has the section, replaced when a reload changes it, closed when a reload drops it or Bascule stops) and each
 * route's {@link GlobalRateLimit}, kept across snapshots so a reload that keeps a route keeps its local fallback
 * buckets. A replaced connection closes at once: the few checks it had in flight fail and are decided locally.
 *
 * <p>Threading: the control thread ({@link #close} from the thread that stops Bascule, after the control thread).
 */
final class GlobalLimits implements AutoCloseable {
    private final LiveNodes nodes;
    private final LongAdder fallbacks;
    private RedisConfig config;
    private RedisBuckets redis;
    /** By route position, label and limit settings, as the builder's local limiters. */
    private final Map<String, GlobalRateLimit> limits = new HashMap<>();

    /**
     * @param nodes the live instances of the fleet, whose count divides a limit while Redis is out
     * @param fallbacks where requests decided without Redis are counted
     */
    GlobalLimits(LiveNodes nodes, LongAdder fallbacks) {
        this.nodes = nodes;
        this.fallbacks = fallbacks;
    }

    /** Opens, replaces or closes the connection so that it matches {@code next} (null: no {@code redis}). */
    void follow(RedisConfig next) {
        if (Objects.equals(config, next)) {
            return;
        }
        RedisBuckets old = redis;
        config = next;
        limits.clear(); // they hold the old connection
        redis = next == null ? null : RedisBuckets.open(settings(next), fallbacks);
        if (old != null) {
            old.close();
        }
    }

    private static RedisSettings settings(RedisConfig c) {
        return new RedisSettings(c.address().host(), c.address().port(), c.username(), c.password(), c.database(),
                c.timeout().toNanos(), c.keyPrefix());
    }

    /**
     * The global limit of route {@code rc}, or null when its limit is local or it has none.
     *
     * @param live collects the keys of the limits in use, for {@link #retainOnly}
     */
    GlobalRateLimit limit(RouteConfig rc, String label, int index, Set<String> live, int maxKeys) {
        RateLimitConfig r = rc.rateLimit();
        if (r == null || !r.global()) {
            return null;
        }
        if (redis == null) {
            throw new IllegalArgumentException("route " + label + " has a global rate limit, and the config no redis");
        }
        String key = index + "|" + label + "|" + r;
        live.add(key);
        return limits.computeIfAbsent(key,
                k -> new GlobalRateLimit(redis, label, r.requestsPerSecond(), r.burst(), maxKeys, nodes));
    }

    /** Forgets the limits of routes no snapshot uses any more. */
    void retainOnly(Set<String> live) {
        limits.keySet().retainAll(live);
    }

    /** Forgets idle keys of the local fallback buckets. */
    void expireIdle(long nowNanos) {
        for (GlobalRateLimit l : limits.values()) {
            l.fallbackLimiter().expireIdle(nowNanos);
        }
    }

    @Override
    public void close() {
        if (redis != null) {
            redis.close();
            redis = null;
        }
    }
}
