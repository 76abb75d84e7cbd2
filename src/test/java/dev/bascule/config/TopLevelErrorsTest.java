package dev.bascule.config;

import static dev.bascule.config.ConfigErrorsTest.errors;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Mistakes in shutdown_grace, trusted_proxies, the newer timeouts and limits, and a listener's TLS settings. */
class TopLevelErrorsTest {

    @Test
    void shutdownGraceAndTrustedProxies() {
        assertThat(errors("""
                shutdown_grace: 0s
                trusted_proxies: [ 10.0.0.0/33, bogus, { a: 1 }, 10.0.0.256, "", 192.168.0.0/16 ]
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { upstream: web } ]
                """)).containsExactly(
                "t.yaml:1:17: duration '0s' must be greater than zero",
                "t.yaml:2:20: bad prefix length in '10.0.0.0/33', expected 0-32",
                "t.yaml:2:33: bad address range 'bogus', expected like 10.0.0.0/8",
                "t.yaml:2:40: each item of 'trusted_proxies' must be a single value, found a mapping",
                "t.yaml:2:50: bad address range '10.0.0.256', expected like 10.0.0.0/8",
                "t.yaml:2:62: empty address range");
        assertThat(errors("""
                shutdown_grace: 30
                trusted_proxies: 10.0.0.0/8
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { upstream: web } ]
                """)).containsExactly(
                "t.yaml:1:17: duration '30' has no unit; write it as " + Units.DURATION_FORM,
                "t.yaml:2:18: 'trusted_proxies' must be a list, found a string");
    }

    @Test
    void newerTimeoutsAndLimits() {
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                timeouts: { client_header: 0ms, client_body_idle: 5, read: 1s }
                limits:
                  max_header_count: 0
                  max_connections: 1k
                  max_connections_per_ip: -1
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { upstream: web } ]
                """)).containsExactly(
                "t.yaml:2:28: duration '0ms' must be greater than zero",
                "t.yaml:2:51: duration '5' has no unit; write it as " + Units.DURATION_FORM,
                "t.yaml:2:54: unknown key 'read' in 'timeouts'; allowed keys: connect, response_header, client_idle,"
                        + " upstream_idle, client_header, client_body_idle, tunnel_idle, stream_idle",
                "t.yaml:4:21: max_header_count must be an integer of at least 1, found '0'",
                "t.yaml:5:20: max_connections must be an integer of at least 1, found '1k'",
                "t.yaml:6:27: max_connections_per_ip must be an integer of at least 0, found '-1'");
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                limits: { max_header_count: 2.5, max_connections: 0, max_conections_per_ip: 1 }
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { upstream: web } ]
                """)).containsExactly(
                "t.yaml:2:29: max_header_count must be an integer of at least 1, found '2.5'",
                "t.yaml:2:51: max_connections must be an integer of at least 1, found '0'",
                "t.yaml:2:54: unknown key 'max_conections_per_ip' in 'limits' (did you mean 'max_connections_per_ip'?);"
                        + " allowed keys: max_uri_length, max_header_size, max_header_count, max_connections,"
                        + " max_connections_per_ip, headers_with_underscores, h2_max_concurrent_streams");
    }

    @Test
    void viaAndHeadersWithUnderscores() {
        assertThat(errors("""
                via: "bascule edge"
                listeners: [ { address: 127.0.0.1:8080 } ]
                limits: { headers_with_underscores: allowed }
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { upstream: web } ]
                """)).containsExactly(
                "t.yaml:1:6: bad via 'bascule edge', expected " + ConfigBinder.VIA_FORM,
                "t.yaml:3:37: bad headers_with_underscores 'allowed', expected allow, drop or reject");
        for (String bad : new String[] {"\"\"", "false", "\"edge/1\"", "\"caf\u00e9\"", "\"a:80\""}) {
            assertThat(errors("""
                    listeners: [ { address: 127.0.0.1:8080 } ]
                    upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                    routes: [ { upstream: web } ]
                    via: %s
                    """.formatted(bad))).as(bad).singleElement().asString()
                    .startsWith("t.yaml:4:6: bad via '").endsWith("', expected " + ConfigBinder.VIA_FORM);
        }
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { upstream: web } ]
                via: [ a, b ]
                limits:
                  headers_with_underscores: [ drop ]
                """)).containsExactly(
                "t.yaml:4:6: 'via' must be a single value, found a list",
                "t.yaml:6:29: 'headers_with_underscores' must be a single value, found a list");
    }

    @Test
    void requestIdAndTracing() {
        assertThat(errors("""
                request_id: yes
                tracing:
                  otlp_endpoint: ftp://collector:4318/v1/traces
                  sample: 1.5
                  exporter: otlp
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { upstream: web } ]
                """)).containsExactly(
                "t.yaml:1:13: 'request_id' must be true or false, found 'yes'",
                "t.yaml:3:18: bad otlp_endpoint 'ftp://collector:4318/v1/traces', expected "
                        + TracingBinder.ENDPOINT_FORM,
                "t.yaml:4:11: sample must be a fraction from 0 to 1, such as 0.01 (one request in a hundred) or 1"
                        + " (all), found '1.5'",
                "t.yaml:5:3: unknown key 'exporter' in 'tracing'; allowed keys: otlp_endpoint, sample");
        for (String bad : new String[] {"127.0.0.1:4318", "http://127.0.0.1:4318", "http://user:pw@c:4318/v1/traces",
                "http:///v1/traces", "http://c:4318/v1/traces#x", "\"http://c 1/v1\""}) {
            assertThat(errors("""
                    listeners: [ { address: 127.0.0.1:8080 } ]
                    upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                    routes: [ { upstream: web } ]
                    tracing: { otlp_endpoint: %s }
                    """.formatted(bad))).as(bad).singleElement().asString()
                    .startsWith("t.yaml:4:27: bad otlp_endpoint '").endsWith(TracingBinder.ENDPOINT_FORM);
        }
        for (String bad : new String[] {"-0.1", "1%", "1e-3", ".5", "5.", "NaN", "1.0001", "one"}) {
            assertThat(errors("""
                    listeners: [ { address: 127.0.0.1:8080 } ]
                    upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                    routes: [ { upstream: web } ]
                    tracing: { sample: "%s" }
                    """.formatted(bad))).as(bad).singleElement().asString()
                    .startsWith("t.yaml:4:20: sample must be a fraction from 0 to 1");
        }
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { upstream: web } ]
                tracing: on
                """)).containsExactly("t.yaml:4:10: 'tracing' must be a mapping, found a string");
    }

    @Test
    void listenerCertificates() {
        assertThat(errors("""
                listeners:
                  - address: 127.0.0.1:8443
                    tls: { cert: a.pem, key: a.key, certificates: [ { cert: b.pem, key: b.key } ] }
                  - address: 127.0.0.1:8444
                    tls: {}
                  - address: 127.0.0.1:8445
                    tls: { cert: a.pem }
                  - address: 127.0.0.1:8446
                    tls: { certificates: [] }
                  - address: 127.0.0.1:8447
                    tls:
                      certificates:
                        - { cert: a.pem, key: a.key, chain: c.pem }
                        - b.pem
                        - { key: b.key }
                  - address: 127.0.0.1:8448
                    tls: true
                  - address: 127.0.0.1:8449
                    tls: { cert: "", key: "a\\0b" }
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { upstream: web } ]
                """)).containsExactly(
                "t.yaml:3:37: write either cert and key (one certificate) or certificates (several, chosen by SNI), not both",
                "t.yaml:5:10: 'tls' of a listener needs cert and key, or a list of certificates",
                "t.yaml:7:10: missing 'key' in 'tls' of a listener",
                "t.yaml:9:26: 'certificates' needs at least one certificate",
                "t.yaml:13:38: unknown key 'chain' in a certificate; allowed keys: cert, key",
                "t.yaml:14:11: a certificate must be a mapping, found a string",
                "t.yaml:15:11: missing 'cert' in a certificate",
                "t.yaml:17:10: 'tls' of a listener must be a mapping, found a boolean",
                "t.yaml:19:18: empty file path",
                "t.yaml:19:27: bad file path: Nul character not allowed");
    }

    @Test
    void redirectHttpsAndHsts() {
        String badHsts = "bad hsts '%s', expected max-age= and a number of seconds, such as max-age=31536000"
                + " or max-age=31536000; includeSubDomains";
        assertThat(errors("""
                listeners:
                  - address: 127.0.0.1:8443
                    tls: { cert: a.pem, key: a.key }
                    redirect_https: true
                  - address: 127.0.0.1:8080
                    redirect_https: "yes"
                    hsts: max-age=abc
                  - address: 127.0.0.1:8081
                    hsts: 31536000
                  - address: 127.0.0.1:8082
                    hsts: "max-age="
                  - address: 127.0.0.1:8083
                    hsts: "max-age=1\\r\\nSet-Cookie: a=b"
                  - address: 127.0.0.1:8084
                    hsts: "max-age=10;preload"
                    hstss: x
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { upstream: web } ]
                """)).containsExactly(
                "t.yaml:4:5: redirect_https is for a plain listener; this one has tls, so it already serves https",
                "t.yaml:6:21: 'redirect_https' must be true or false, found 'yes'",
                "t.yaml:7:11: " + badHsts.formatted("max-age=abc"),
                "t.yaml:9:11: " + badHsts.formatted("31536000"),
                "t.yaml:11:11: " + badHsts.formatted("max-age="),
                "t.yaml:13:11: hsts must be printable ASCII on one line; it is sent as a header value",
                "t.yaml:16:5: unknown key 'hstss' in a listener (did you mean 'hsts'?); allowed keys: name, address, tls,"
                        + " redirect_https, hsts, protocols");
    }
}
