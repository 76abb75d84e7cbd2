package dev.bascule.config;

import static dev.bascule.config.ConfigErrorsTest.errors;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Mistakes in the protocol keys: a listener's protocols, limits.h2_max_concurrent_streams, timeouts.tunnel_idle and
 * stream_idle, an upstream's protocol, a health check's type and service, and a route's websocket.
 */
class ProtocolErrorsTest {
    private static final String TAIL = """
            upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
            routes: [ { upstream: web } ]
            """;

    @Test
    void listenerProtocols() {
        assertThat(errors("""
                listeners:
                  - address: 127.0.0.1:8443
                    tls: { cert: a.pem, key: a.key }
                    protocols: [ h2c, http1, http1, h3 ]
                  - address: 127.0.0.1:8080
                    protocols: [ h2, h2c ]
                  - address: 127.0.0.1:8081
                    protocols: []
                  - address: 127.0.0.1:8082
                    redirect_https: true
                    protocols: [ http1, h2c ]
                  - address: 127.0.0.1:8083
                    protocols: http1
                  - address: 127.0.0.1:8084
                    protocols: [ http1, [ h2c ], HTTP1 ]
                  - address: 127.0.0.1:8085
                    protocol: [ http1 ]
                """ + TAIL)).containsExactly(
                "t.yaml:4:18: h2c is HTTP/2 without TLS; a listener with tls offers HTTP/2 as h2 (chosen by ALPN)",
                "t.yaml:4:30: protocol 'http1' is listed twice",
                "t.yaml:4:37: bad protocol 'h3', expected h2 or http1 (this listener has tls)",
                "t.yaml:6:16: a listener without tls must list http1: h2c is served beside it on the same port, told"
                        + " apart by the HTTP/2 connection preface",
                "t.yaml:6:18: h2 is HTTP/2 over TLS (chosen by ALPN) and this listener has no tls; h2c serves HTTP/2"
                        + " with prior knowledge on a plain listener",
                "t.yaml:8:16: 'protocols' needs at least one protocol, such as [http1]",
                "t.yaml:11:25: h2c is not allowed with redirect_https: true; that listener only sends clients to https",
                "t.yaml:13:16: 'protocols' must be a list, found a string",
                "t.yaml:15:25: each item of 'protocols' must be a single value, found a list",
                "t.yaml:15:34: bad protocol 'HTTP1', expected http1 or h2c (this listener has no tls)",
                "t.yaml:17:5: unknown key 'protocol' in a listener (did you mean 'protocols'?); allowed keys: name,"
                        + " address, tls, redirect_https, hsts, protocols");
        assertThat(errors("""
                listeners:
                  - address: 127.0.0.1:8443
                    tls: { cert: a.pem, key: a.key }
                    protocols: [ ]
                """ + TAIL)).containsExactly("t.yaml:4:16: 'protocols' needs at least one protocol, such as [h2, http1]");
    }

    @Test
    void streamLimitAndIdleTimeouts() {
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                timeouts: { tunnel_idle: 0s, stream_idle: 5 }
                limits: { h2_max_concurrent_streams: 0 }
                """ + TAIL)).containsExactly(
                "t.yaml:2:26: duration '0s' must be greater than zero",
                "t.yaml:2:43: duration '5' has no unit; write it as " + Units.DURATION_FORM,
                "t.yaml:3:38: h2_max_concurrent_streams must be an integer from 1 to 10000, found '0'");
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                timeouts: { tunnel_idle: forever, stream_idle: -1m, stream_idel: 1m }
                limits: { h2_max_concurrent_streams: 10001 }
                """ + TAIL)).containsExactly(
                "t.yaml:2:26: bad duration 'forever', expected " + Units.DURATION_FORM,
                "t.yaml:2:48: bad duration '-1m', expected " + Units.DURATION_FORM,
                "t.yaml:2:53: unknown key 'stream_idel' in 'timeouts' (did you mean 'stream_idle'?); allowed keys:"
                        + " connect, response_header, client_idle, upstream_idle, client_header, client_body_idle,"
                        + " tunnel_idle, stream_idle",
                "t.yaml:3:38: h2_max_concurrent_streams must be an integer from 1 to 10000, found '10001'");
    }

    @Test
    void upstreamProtocol() {
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams:
                  a:
                    protocol: h2
                    servers: [ { address: 127.0.0.1:9001 } ]
                  b:
                    protocol: h2c
                    tls: {}
                    servers: [ { address: 127.0.0.1:9002 } ]
                  c:
                    protocol: http2
                    servers: [ { address: 127.0.0.1:9003 } ]
                    health_check: { type: grpc }
                  d:
                    protocols: [ h2c ]
                    servers: [ { address: 127.0.0.1:9004 } ]
                routes: [ { upstream: a } ]
                """)).containsExactly(
                "t.yaml:4:15: protocol h2 is HTTP/2 over TLS, and upstream 'a' has no tls; add tls (tls: {} for the"
                        + " defaults), or use h2c for HTTP/2 without TLS",
                "t.yaml:7:15: protocol h2c is HTTP/2 without TLS, and upstream 'b' has tls; use h2 for HTTP/2 over TLS",
                // A bad protocol is the one error: the grpc check that depends on it is not flagged as well.
                "t.yaml:11:15: bad protocol 'http2', expected http1, h2 or h2c",
                "t.yaml:15:5: unknown key 'protocols' in upstream 'd' (did you mean 'protocol'?); allowed keys:"
                        + " balancer, hash_key, servers, health_check, passive, when_all_down, slow_start,"
                        + " resolve_every, tls, ewma_decay, protocol, queue");
    }

    @Test
    void healthCheckTypeAndItsKeys() {
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams:
                  a:
                    servers: [ { address: 127.0.0.1:9001 } ]
                    health_check: { type: grpc }
                  b:
                    protocol: h2c
                    servers: [ { address: 127.0.0.1:9002 } ]
                    health_check:
                      type: grpc
                      path: /ready
                      expect_status: 200
                      host: grpc.internal
                      service: ""
                  c:
                    servers: [ { address: 127.0.0.1:9003 } ]
                    health_check:
                      type: tcp
                      host: c.internal
                      service: x
                      path: /
                  d:
                    servers: [ { address: 127.0.0.1:9004 } ]
                    health_check: { service: chat, type: udp }
                  e:
                    servers: [ { address: 127.0.0.1:9005 } ]
                    health_check: { service: chat }
                  f:
                    protocol: h2
                    tls: {}
                    servers: [ { address: 127.0.0.1:9006 } ]
                    health_check: { type: grpc, service: [ a ] }
                routes: [ { upstream: a } ]
                """)).containsExactly(
                "t.yaml:5:27: type: grpc needs an upstream that speaks HTTP/2 (gRPC runs over it): upstream 'a' has"
                        + " protocol http1; set protocol: h2c, or h2 with tls",
                "t.yaml:11:7: path is only for type: http ('health_check' of upstream 'b' has type: grpc)",
                "t.yaml:12:7: expect_status is only for type: http ('health_check' of upstream 'b' has type: grpc)",
                "t.yaml:19:7: host is only for type: http or grpc ('health_check' of upstream 'c' has type: tcp)",
                "t.yaml:20:7: service is only for type: grpc ('health_check' of upstream 'c' has type: tcp)",
                "t.yaml:21:7: path is only for type: http ('health_check' of upstream 'c' has type: tcp)",
                // An unknown type is the one error: which keys it takes is unknown, so service is not flagged.
                "t.yaml:24:42: bad health check type 'udp', expected http, grpc or tcp",
                "t.yaml:27:21: service is only for type: grpc ('health_check' of upstream 'e' has type: http)",
                "t.yaml:32:42: 'service' must be a single value, found a list");
    }

    @Test
    void routeWebsocket() {
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes:
                  - upstream: web
                    websocket: "no"
                  - upstream: web
                    websockets: true
                  - upstream: web
                    websocket: 1
                """)).containsExactly(
                "t.yaml:5:16: 'websocket' must be true or false, found 'no'",
                "t.yaml:7:5: unknown key 'websockets' in a route (did you mean 'websocket'?); allowed keys: name, match,"
                        + " strip_prefix, upstream, redirect, retry, allow, deny, rate_limit, max_body_size, websocket,"
                        + " request_headers, response_headers, mirror, split, sticky",
                "t.yaml:9:16: 'websocket' must be true or false, found '1'");
    }
}
