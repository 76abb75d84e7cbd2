/**
 * Global rate limits: token buckets kept in Redis, so that every instance of a fleet draws from the same bucket.
 *
 * <p>Entry points: {@link dev.bascule.limit.RedisBuckets} (the connection to Redis, the outage state and the
 * fallback counter; the control plane opens it from the {@code redis} section and replaces it when a reload changes
 * that section) and {@link dev.bascule.limit.GlobalRateLimit} (one route's limit, which the data plane asks per
 * request). The check is {@link dev.bascule.limit.GcraScript}, one Lua script that reads Redis's own clock; its
 * answer comes back on the Redis client's thread through {@link dev.bascule.limit.BucketAnswer}, and the data plane
 * waits for it on its event loop's timer, never by blocking. When Redis does not answer in time, the route's
 * {@link dev.bascule.limit.FallbackLimiter} decides locally with this instance's share of the limit, the share
 * given by {@link dev.bascule.limit.LiveNodes}.
 *
 * <p>Lettuce, the Redis client, runs on its own threads ({@code ClientResources} with the smallest pools it takes),
 * never on the proxy's event loops. No config records here: the control plane hands over plain values.
 */
package dev.bascule.limit;
