package dev.bascule.config;

import static dev.bascule.config.ConfigErrorsTest.errors;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Mistakes in a server's max_connections and an upstream's queue. */
class OriginLimitErrorsTest {

    @Test
    void maxConnectionsIsFromOneToAMillion() {
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams:
                  a:
                    servers:
                      - { address: 127.0.0.1:9001, max_connections: 0 }
                      - { address: 127.0.0.1:9002, max_connections: 1000001 }
                      - { address: 127.0.0.1:9003, max_connections: 2.5 }
                      - { address: 127.0.0.1:9004, max_conns: 10 }
                routes: [ { upstream: a } ]
                """)).containsExactly(
                "t.yaml:5:53: max_connections must be an integer from 1 to 1000000, found '0'",
                "t.yaml:6:53: max_connections must be an integer from 1 to 1000000, found '1000001'",
                "t.yaml:7:53: max_connections must be an integer from 1 to 1000000, found '2.5'",
                "t.yaml:8:36: unknown key 'max_conns' in a server of upstream 'a';"
                        + " allowed keys: address, weight, max_connections");
    }

    @Test
    void queueNeedsASizeOfZeroOrMoreAndATimeoutAboveZero() {
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams:
                  a:
                    servers: [ { address: 127.0.0.1:9001, max_connections: 4 } ]
                    queue: { size: -1, timeout: 0s }
                  b:
                    servers: [ { address: 127.0.0.1:9002, max_connections: 4 } ]
                    queue: { timeout: 5s, length: 10 }
                  c:
                    servers: [ { address: 127.0.0.1:9003, max_connections: 4 } ]
                    queue: 100
                routes: [ { upstream: a } ]
                """)).containsExactly(
                "t.yaml:5:20: size must be an integer of at least 0, found '-1'",
                "t.yaml:5:33: duration '0s' must be greater than zero",
                "t.yaml:8:12: missing 'size' in 'queue' of upstream 'b'",
                "t.yaml:8:27: unknown key 'length' in 'queue' of upstream 'b'; allowed keys: size, timeout",
                "t.yaml:11:12: 'queue' of upstream 'c' must be a mapping, found a number");
    }

    @Test
    void aQueueWithoutACappedServerWouldNeverHoldAnything() {
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams:
                  a:
                    servers: [ { address: 127.0.0.1:9001 } ]
                    queue: { size: 10 }
                routes: [ { upstream: a } ]
                """)).containsExactly("t.yaml:5:5: queue needs a server with max_connections in upstream 'a'");
    }
}
