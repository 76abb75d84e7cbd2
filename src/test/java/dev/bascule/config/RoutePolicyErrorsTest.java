package dev.bascule.config;

import static dev.bascule.config.ConfigErrorsTest.errors;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Mistakes in a route's retry, allow, deny, rate_limit and max_body_size. */
class RoutePolicyErrorsTest {

    @Test
    void retry() {
        String unknownOn = "unknown retry condition '%s', expected connect_failure, reset, 502, 503 or 504";
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes:
                  - upstream: web
                    retry: { attempts: 0, on: [ connect_failure, 500, timeout, [ reset ] ], per_try_timeout: 0s }
                  - upstream: web
                    retry: { attempts: 11, on: reset, tries: 2 }
                  - upstream: web
                    retry: true
                """)).containsExactly(
                "t.yaml:5:24: attempts must be an integer from 1 to 10, found '0'",
                "t.yaml:5:50: " + unknownOn.formatted("500"),
                "t.yaml:5:55: " + unknownOn.formatted("timeout"),
                "t.yaml:5:64: each item of 'on' must be a single value, found a list",
                "t.yaml:5:94: duration '0s' must be greater than zero",
                "t.yaml:7:24: attempts must be an integer from 1 to 10, found '11'",
                "t.yaml:7:32: 'on' must be a list, found a string",
                "t.yaml:7:39: unknown key 'tries' in 'retry'; allowed keys: attempts, on, per_try_timeout",
                "t.yaml:9:12: 'retry' must be a mapping, found a boolean");
    }

    @Test
    void allowDenyAndBodySize() {
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes:
                  - upstream: web
                    allow: [ 10.0.0.0/8, not-an-ip ]
                    deny: 10.0.0.0/8
                  - upstream: web
                    max_body_size: 0
                  - upstream: web
                    max_body_size: 10 MB
                """)).containsExactly(
                "t.yaml:5:26: bad address range 'not-an-ip', expected like 10.0.0.0/8",
                "t.yaml:6:11: 'deny' must be a list, found a string",
                "t.yaml:8:20: size '0' must be greater than zero",
                "t.yaml:10:20: bad size '10 MB', expected " + Units.SIZE_FORM);
    }

    @Test
    void rateLimit() {
        String badRate = "requests_per_second must be a number greater than zero, such as 100 or 0.5, found '%s'";
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes:
                  - upstream: web
                    rate_limit: { burst: 0, key: "cookie:session" }
                  - upstream: web
                    rate_limit: { requests_per_second: 0, key: "header:X Api" }
                  - upstream: web
                    rate_limit: { requests_per_second: 1e3, per: 1s }
                  - upstream: web
                    rate_limit: { requests_per_second: fast }
                """)).containsExactly(
                "t.yaml:5:17: missing 'requests_per_second' in 'rate_limit'",
                "t.yaml:5:26: burst must be an integer of at least 1, found '0'",
                "t.yaml:5:34: a rate_limit key cannot be a cookie ('cookie:session'); expected client_ip or header:NAME",
                "t.yaml:7:40: " + badRate.formatted("0"),
                "t.yaml:7:48: bad rate_limit key 'header:X Api', expected client_ip or header:NAME",
                "t.yaml:9:40: " + badRate.formatted("1e3"),
                "t.yaml:9:45: unknown key 'per' in 'rate_limit' (did you mean 'key'?); allowed keys: requests_per_second,"
                        + " burst, key, scope",
                "t.yaml:11:40: " + badRate.formatted("fast"));
    }
}
