package dev.bascule.config;

import static dev.bascule.config.ConfigErrorsTest.errors;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Mistakes in the {@code redis} section and in a rate limit's {@code scope}, each at its line and column. */
class RedisErrorsTest {

    @Test
    void aGlobalLimitNeedsARedisSection() {
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes:
                  - upstream: web
                    rate_limit: { requests_per_second: 100, scope: global }
                  - upstream: web
                    rate_limit: { requests_per_second: 100, scope: fleet }
                """)).containsExactly(
                "t.yaml:5:52: scope: global needs a top-level 'redis' section (its address): the buckets shared by"
                        + " every instance live there",
                "t.yaml:7:52: bad rate_limit scope 'fleet', expected local (each instance counts for itself) or"
                        + " global (counted together in Redis)");
    }

    @Test
    void everyRedisKeyIsChecked() {
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                redis:
                  address: redis.internal
                  username: "bad user"
                  password: ""
                  database: 16
                  timeout: 2s
                  key_prefix: "a b"
                  tls: true
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { upstream: web } ]
                """)).containsExactly(
                "t.yaml:3:12: bad address 'redis.internal', expected host:port",
                "t.yaml:4:13: bad redis username: use 1 to 128 printable characters without spaces",
                "t.yaml:5:13: empty redis password: leave the key out for a Redis without AUTH",
                "t.yaml:6:13: database must be an integer from 0 to 15, found '16'",
                "t.yaml:7:12: redis timeout 2s is too long: a request waits this long for its rate-limit check, at"
                        + " most 1s (the default is 5ms)",
                "t.yaml:8:15: bad redis key_prefix 'a b': at most 64 printable characters without spaces",
                "t.yaml:9:3: unknown key 'tls' in 'redis'; allowed keys: address, username, password, database,"
                        + " timeout, key_prefix");
    }

    @Test
    void anAddressIsRequiredAndAUsernameComesWithAPassword() {
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                redis: { username: limits, timeout: 0ms }
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes:
                  - upstream: web
                    rate_limit: { requests_per_second: 1, scope: global }
                """)).containsExactly(
                "t.yaml:2:8: missing 'address' in 'redis'",
                "t.yaml:2:10: a redis username needs a password (AUTH takes both)",
                "t.yaml:2:37: duration '0ms' must be greater than zero");
    }

    @Test
    void redisIsAMappingAndItsAddressHasARealPort() {
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                redis: 127.0.0.1:6379
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { upstream: web } ]
                """)).containsExactly("t.yaml:2:8: 'redis' must be a mapping, found a string");
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                redis: { address: 127.0.0.1:0 }
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { upstream: web } ]
                """)).containsExactly("t.yaml:2:19: redis address '127.0.0.1:0' needs a port (6379 by default)");
    }
}
