package dev.bascule.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bascule.balance.Balancers;
import dev.bascule.config.BasculeConfig;
import dev.bascule.config.HashKeyConfig;
import dev.bascule.config.RateLimitConfig;
import dev.bascule.config.RouteConfig;
import dev.bascule.limit.GlobalRateLimit;
import dev.bascule.upstream.ServerRegistry;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Snapshots and the global rate limits of their routes: kept across snapshots while the route and the {@code redis}
 * section stay the same, made again when either changes. Nothing is asked of Redis here (it points at a closed
 * port), and nothing needs to be.
 */
class GlobalLimitsTest {
    private final ServerRegistry registry = new ServerRegistry();
    private SnapshotBuilder builder;
    private int closedPort;

    @BeforeEach
    void build() throws Exception {
        builder = new SnapshotBuilder(registry, new dev.bascule.stats.StatsRegistry(), Balancers.standard(), () -> 0);
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
    }

    @AfterEach
    void close() {
        builder.closeGlobalLimits();
    }

    private String yaml(String prefix, double rate) {
        return """
                listeners: [ { address: 127.0.0.1:0 } ]
                redis: { address: 127.0.0.1:%d, key_prefix: "%s" }
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes:
                  - match: { path_prefix: /api }
                    upstream: web
                    rate_limit: { requests_per_second: %s, scope: global }
                  - match: { path_prefix: /local }
                    upstream: web
                    rate_limit: { requests_per_second: 5 }
                  - upstream: web
                """.formatted(closedPort, prefix, rate);
    }

    private Snapshot snapshot(BasculeConfig config, Snapshot previous) throws Exception {
        LoadedConfig loaded = Fixtures.loaded(config, previous == null ? 1 : previous.configVersion() + 1);
        return builder.build(loaded, Fixtures.membership(config, registry, 0).pools(), previous, 0,
                ExchangeEvents.NONE);
    }

    private static RouteAction action(Snapshot s, int route) {
        return s.routes().routes().get(route).target();
    }

    @Test
    void aGlobalLimitIsKeptWhileItsRouteAndRedisStayTheSame() throws Exception {
        Snapshot first = snapshot(Fixtures.config(yaml("a:", 10)), null);
        GlobalRateLimit limit = action(first, 0).globalLimit();
        assertThat(limit).isNotNull();
        assertThat(action(first, 0).rateLimiter()).as("not a local one too").isNull();
        assertThat(limit.redisKey("10.0.0.1")).isEqualTo("a:/api:10.0.0.1");
        assertThat(action(first, 1).globalLimit()).as("a local limit").isNull();
        assertThat(action(first, 1).rateLimiter()).isNotNull();

        Snapshot same = snapshot(Fixtures.config(yaml("a:", 10)), first);
        assertThat(action(same, 0).globalLimit()).as("its local fallback buckets go on").isSameAs(limit);

        Snapshot faster = snapshot(Fixtures.config(yaml("a:", 20)), same);
        assertThat(action(faster, 0).globalLimit()).isNotSameAs(limit);
        assertThat(action(faster, 0).globalLimit().ratePerSecond()).isEqualTo(20);

        Snapshot moved = snapshot(Fixtures.config(yaml("b:", 20)), faster);
        assertThat(action(moved, 0).globalLimit().redisKey("x")).as("a new redis section, a new connection")
                .isEqualTo("b:/api:x");
    }

    @Test
    void aGlobalLimitWithoutRedisIsRefusedRatherThanDropped() throws Exception {
        BasculeConfig parsed = Fixtures.config(yaml("a:", 10));
        // Built in code, past the loader's check: the route keeps its global limit, the config has no redis.
        RouteConfig route = parsed.routes().get(0);
        BasculeConfig noRedis = new BasculeConfig(parsed.source(), parsed.listeners(), parsed.admin(),
                parsed.timeouts(), parsed.limits(), parsed.upstreams(), List.of(route), parsed.shutdownGrace(),
                parsed.trustedProxies(), parsed.via(), parsed.requestId(), parsed.tracing(), parsed.accessLog());
        assertThat(route.rateLimit()).isEqualTo(new RateLimitConfig(10, 10, HashKeyConfig.CLIENT_IP,
                RateLimitConfig.Scope.GLOBAL));
        assertThatThrownBy(() -> snapshot(noRedis, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("global rate limit");
    }
}
