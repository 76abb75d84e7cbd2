package dev.bascule.config;

import static dev.bascule.config.ConfigErrorsTest.errors;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Mistakes in an upstream's health_check, passive, when_all_down, slow_start, resolve_every, ewma_decay and tls. */
class UpstreamPolicyErrorsTest {

    @Test
    void healthCheck() {
        String badStatus = "bad expect_status '%s', expected a status such as 200 or a range such as 200-399,"
                + " statuses from 100 to 599";
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams:
                  a:
                    servers: [ { address: 127.0.0.1:9001 } ]
                    health_check:
                      expect_status: 600
                      healthy_threshold: 0
                      unhealthy_threshold: x
                      host: "bad host"
                      hots: a
                  b:
                    servers: [ { address: 127.0.0.1:9002 } ]
                    health_check: { expect_status: 399-200 }
                  c:
                    servers: [ { address: 127.0.0.1:9003 } ]
                    health_check: { expect_status: 2xx }
                routes: [ { upstream: a } ]
                """)).containsExactly(
                "t.yaml:6:22: " + badStatus.formatted("600"),
                "t.yaml:7:26: healthy_threshold must be an integer of at least 1, found '0'",
                "t.yaml:8:28: unhealthy_threshold must be an integer of at least 1, found 'x'",
                "t.yaml:9:13: bad health check host 'bad host': expected a host name such as api.internal",
                "t.yaml:10:7: unknown key 'hots' in 'health_check' of upstream 'a' (did you mean 'host'?); allowed keys:"
                        + " path, interval, timeout, expect_status, healthy_threshold, unhealthy_threshold, host, type,"
                        + " service",
                "t.yaml:13:36: expect_status '399-200' is backwards: write the lower status first",
                "t.yaml:16:36: " + badStatus.formatted("2xx"));
    }

    @Test
    void passiveWhenAllDownAndDurations() {
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams:
                  d:
                    servers: [ { address: 127.0.0.1:9004 } ]
                    passive: { consecutive_failures: -1, base_ejection: 0s, max_ejected_percent: 101 }
                  e:
                    servers: [ { address: 127.0.0.1:9005 } ]
                    passive: [ 5 ]
                    when_all_down: panic
                    slow_start: 10
                    resolve_every: 0s
                  f:
                    servers: [ { address: 127.0.0.1:9006 } ]
                    slow_start: -1s
                routes: [ { upstream: d } ]
                """)).containsExactly(
                "t.yaml:5:38: consecutive_failures must be an integer of at least 0, found '-1'",
                "t.yaml:5:57: duration '0s' must be greater than zero",
                "t.yaml:5:82: max_ejected_percent must be an integer from 0 to 100, found '101'",
                "t.yaml:8:14: 'passive' of upstream 'e' must be a mapping, found a list",
                "t.yaml:9:20: bad when_all_down 'panic', expected fail_open or reject",
                "t.yaml:10:17: duration '10' has no unit; write it as " + Units.DURATION_FORM,
                "t.yaml:11:20: duration '0s' must be greater than zero",
                "t.yaml:14:17: bad duration '-1s', expected " + Units.DURATION_FORM);
    }

    @Test
    void ewmaDecayBelongsToTheEwmaBalancer() {
        assertThat(errors(EveryKeyTest.EWMA_LOADER, """
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams:
                  a:
                    balancer: ewma
                    ewma_decay: 0s
                    servers: [ { address: 127.0.0.1:9001 } ]
                  b:
                    servers: [ { address: 127.0.0.1:9002 } ]
                    ewma_decay: 5s
                routes: [ { upstream: a } ]
                """)).containsExactly(
                "t.yaml:5:17: duration '0s' must be greater than zero",
                "t.yaml:9:5: ewma_decay is only allowed with balancer: ewma (upstream 'b' uses round_robin)");
        // Where the registry has no ewma, naming it is the one error: its ewma_decay is not flagged as well.
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams:
                  a:
                    balancer: ewma
                    ewma_decay: 5s
                    servers: [ { address: 127.0.0.1:9001 } ]
                routes: [ { upstream: a } ]
                """)).containsExactly("t.yaml:4:15: unknown balancer 'ewma'; known balancers: hash, least_request, round_robin");
    }

    @Test
    void upstreamTls() {
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams:
                  b:
                    servers: [ { address: 127.0.0.1:9002 } ]
                    tls: { cert: c.pem }
                  c:
                    servers: [ { address: 127.0.0.1:9003 } ]
                    tls: { key: c.key, verify: false, ca: ca.pem }
                  d:
                    servers: [ { address: 127.0.0.1:9004 } ]
                    tls: { sni: 10.0.0.1 }
                  e:
                    servers: [ { address: 127.0.0.1:9005 } ]
                    tls: { sni: "api internal", verify: "no", trust: all }
                  f:
                    servers: [ { address: 127.0.0.1:9006 } ]
                    tls: on
                routes: [ { upstream: b } ]
                """)).containsExactly(
                "t.yaml:5:12: 'cert' needs 'key' too: a client certificate and its private key come together",
                "t.yaml:8:12: 'key' needs 'cert' too: a client certificate and its private key come together",
                "t.yaml:8:39: 'ca' is unused with verify: false (the origin's certificate is not checked); remove one of them",
                "t.yaml:11:17: sni '10.0.0.1' is an IP address; a TLS server name must be a host name (RFC 6066 section 3)",
                "t.yaml:14:17: bad sni 'api internal': expected a host name such as api.internal",
                "t.yaml:14:41: 'verify' must be true or false, found 'no'",
                "t.yaml:14:47: unknown key 'trust' in 'tls' of upstream 'e'; allowed keys: verify, ca, sni, cert, key",
                "t.yaml:17:10: 'tls' of upstream 'f' must be a mapping, found a string");
    }
}
