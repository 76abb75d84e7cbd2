package dev.bascule.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Each kind of mistake is reported with the right position and a message that says what to write instead. */
class ConfigErrorsTest {

    /** The errors of {@code yaml} as {@code t.yaml:line:column: message}, in the order reported. */
    static List<String> errors(String yaml) {
        return errors(ConfigLoaderTest.LOADER, yaml);
    }

    /** Like {@link #errors(String)} with another set of balancer names. */
    static List<String> errors(ConfigLoader loader, String yaml) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.parse(yaml, "t.yaml"));
        assertThat(e).as("expected the config to be rejected").isNotNull();
        return e.errors().stream().map(ConfigError::toString).toList();
    }

    @Test
    void unknownUpstreamInARoute() {
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams:
                  web-blue: { servers: [ { address: 127.0.0.1:9001 } ] }
                routes:
                  - upstream: web-blue
                  - match: { host: red.labs.test }
                    upstream: web-red
                """)).containsExactly("t.yaml:7:15: unknown upstream 'web-red'");
    }

    @Test
    void routeNamesAreUniqueAndSafeInAUrl() {
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams:
                  web: { servers: [ { address: 127.0.0.1:9001 } ] }
                routes:
                  - name: app
                    upstream: web
                  - name: app
                    upstream: web
                  - name: "a/b"
                    upstream: web
                """)).containsExactly(
                "t.yaml:7:11: route name 'app' is already used by the route at line 5",
                "t.yaml:9:11: bad route name 'a/b': use 1 to 64 letters, digits, '.', '_' or '-'");
    }

    @Test
    void unknownKeysNameTheKeyAndTheAllowedOnes() {
        assertThat(errors("""
                listeners:
                  - adress: 127.0.0.1:8080
                upstreams:
                  web: { servers: [ { address: 127.0.0.1:9001, wieght: 2 } ] }
                routes: [ { upstream: web } ]
                colour: blue
                """)).containsExactly(
                "t.yaml:2:5: unknown key 'adress' in a listener (did you mean 'address'?); allowed keys: name, address, tls, redirect_https, hsts,"
                        + " protocols",
                "t.yaml:2:5: missing 'address' in a listener",
                "t.yaml:4:48: unknown key 'wieght' in a server of upstream 'web' (did you mean 'weight'?); allowed keys: address, weight,"
                        + " max_connections",
                "t.yaml:6:1: unknown key 'colour' in the config; allowed keys: listeners, admin, timeouts, limits, upstreams,"
                        + " routes, shutdown_grace, trusted_proxies, via, request_id, tracing, access_log, state_file, redis, cluster");
    }

    @Test
    void accessLogMistakes() {
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { upstream: web } ]
                access_log: { to: false, format: xml, file: a.log }
                """)).containsExactly(
                "t.yaml:4:19: bad access_log to 'false', expected " + ConfigBinder.ACCESS_LOG_TO_FORM,
                "t.yaml:4:34: bad access_log format 'xml', expected json or combined",
                "t.yaml:4:39: unknown key 'file' in 'access_log'; allowed keys: to, format");
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { upstream: web } ]
                access_log: { to: "", format: [ json ] }
                """)).containsExactly(
                "t.yaml:4:19: empty access_log to, expected " + ConfigBinder.ACCESS_LOG_TO_FORM,
                "t.yaml:4:31: 'format' must be a single value, found a list");
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { upstream: web } ]
                access_log: stdout
                acces_log: { to: stdout }
                """)).containsExactly(
                "t.yaml:4:13: 'access_log' must be a mapping, found a string",
                "t.yaml:5:1: unknown key 'acces_log' in the config (did you mean 'access_log'?); allowed keys:"
                        + " listeners, admin, timeouts, limits, upstreams, routes, shutdown_grace, trusted_proxies, via,"
                        + " request_id, tracing, access_log, state_file, redis, cluster");
    }

    @Test
    void wrongTypes() {
        assertThat(errors("""
                listeners: { address: 127.0.0.1:8080 }
                admin: [ 127.0.0.1:9901 ]
                upstreams:
                  web:
                    servers: [ 127.0.0.1:9001 ]
                routes:
                  - upstream: [ web ]
                    strip_prefix: "yes"
                """)).containsExactly(
                "t.yaml:1:12: 'listeners' must be a list, found a mapping",
                "t.yaml:2:8: 'admin' must be a mapping, found a list",
                "t.yaml:5:16: a server of upstream 'web' must be a mapping, found a string",
                "t.yaml:7:15: 'upstream' must be a single value, found a list",
                "t.yaml:8:19: 'strip_prefix' must be true or false, found 'yes'");
    }

    @Test
    void missingRequiredKeysAreLocatedAtTheirParentMapping() {
        assertThat(errors("""
                admin:
                  address: 127.0.0.1:9901
                upstreams:
                  web:
                    balancer: round_robin
                routes:
                  - match: { host: a.test }
                """)).containsExactly(
                "t.yaml:1:1: missing 'listeners' in the config",
                "t.yaml:5:5: missing 'servers' in upstream 'web'",
                "t.yaml:7:5: missing 'upstream' in a route");
    }

    @Test
    void emptyValuesAndEmptyLists() {
        assertThat(errors("""
                listeners: []
                upstreams:
                  web:
                  api: { servers: [] }
                routes:
                """)).containsExactly(
                "t.yaml:1:12: 'listeners' needs at least one listener",
                "t.yaml:3:3: upstream 'web' is empty; it needs 'servers'",
                "t.yaml:4:19: upstream 'api' needs at least one server",
                "t.yaml:5:1: 'routes' needs a value");
    }

    @Test
    void badAddressesAndWeights() {
        assertThat(errors("""
                listeners:
                  - address: 127.0.0.1
                upstreams:
                  web:
                    servers:
                      - { address: "127.0.0.1:99999" }
                      - { address: a.internal:80, weight: 0 }
                      - { address: b.internal:80, weight: 2.5 }
                      - { address: c.internal:80, weight: 1001 }
                      - { address: d.internal:80, weight: two }
                      - { address: e.internal:0 }
                routes: [ { upstream: web } ]
                """)).containsExactly(
                "t.yaml:2:14: bad address '127.0.0.1', expected host:port",
                "t.yaml:6:20: port out of range 0-65535 in address '127.0.0.1:99999'",
                "t.yaml:7:43: weight must be an integer from 1 to 1000, found '0'",
                "t.yaml:8:43: weight must be an integer from 1 to 1000, found '2.5'",
                "t.yaml:9:43: weight must be an integer from 1 to 1000, found '1001'",
                "t.yaml:10:43: weight must be an integer from 1 to 1000, found 'two'",
                "t.yaml:11:20: a server needs a real port, not 0, in address 'e.internal:0'");
    }

    @Test
    void duplicates() {
        assertThat(errors("""
                listeners:
                  - { name: public, address: 127.0.0.1:8080 }
                  - { name: public, address: 127.0.0.1:8081 }
                  - { address: 127.0.0.1:8080 }
                upstreams:
                  web:
                    servers:
                      - address: 127.0.0.1:9001
                      - address: 127.0.0.1:9001
                  web:
                    servers: [ { address: 127.0.0.1:9002 } ]
                routes: [ { upstream: web, upstream: web } ]
                """)).containsExactly(
                "t.yaml:3:13: duplicate listener name 'public' (first at line 2)",
                "t.yaml:4:16: duplicate listener address 127.0.0.1:8080 (first at line 2)",
                "t.yaml:9:18: duplicate server 127.0.0.1:9001 in upstream 'web' (first at line 8)",
                "t.yaml:10:3: duplicate key 'web' (first defined at line 6)",
                "t.yaml:12:28: duplicate key 'upstream' (first defined at line 12)");
    }

    @Test
    void balancerAndHashKey() {
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams:
                  a: { balancer: random, servers: [ { address: 127.0.0.1:9001 } ] }
                  b: { hash_key: client_ip, servers: [ { address: 127.0.0.1:9002 } ] }
                  c: { balancer: hash, hash_key: "header:", servers: [ { address: 127.0.0.1:9003 } ] }
                routes: [ { upstream: a } ]
                """)).containsExactly(
                "t.yaml:3:18: unknown balancer 'random'; known balancers: hash, least_request, round_robin",
                "t.yaml:4:8: hash_key is only allowed with balancer: hash (upstream 'b' uses round_robin)",
                "t.yaml:5:34: bad hash_key 'header:', expected client_ip, header:NAME or cookie:NAME");
    }

    @Test
    void routeMatchRules() {
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes:
                  - match: { host: "a.test:80" }
                    upstream: web
                  - match: { host: "a.*.test" }
                    upstream: web
                  - match: { path_prefix: green }
                    upstream: web
                  - match: { host: a.test }
                    strip_prefix: true
                    upstream: web
                  - match: { paths: /x }
                    upstream: web
                """)).containsExactly(
                "t.yaml:4:20: host 'a.test:80' has a port: port is ignored when matching; write the host alone",
                "t.yaml:6:20: bad host 'a.*.test': a wildcard is allowed only as a leading '*.', as in *.labs.test",
                "t.yaml:8:27: path_prefix 'green' must start with '/'",
                "t.yaml:11:5: strip_prefix: true needs a path_prefix in 'match' (there is nothing to strip)",
                "t.yaml:13:14: unknown key 'paths' in 'match'; allowed keys: host, path_prefix, header, cookie, query,"
                        + " method");
    }

    @Test
    void badDurationsAndSizes() {
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                timeouts:
                  connect: 2
                  response_header: 0s
                limits:
                  max_uri_length: 8 KB
                upstreams:
                  web:
                    servers: [ { address: 127.0.0.1:9001 } ]
                    health_check: { path: health, interval: 1.5s }
                routes: [ { upstream: web } ]
                """)).containsExactly(
                "t.yaml:3:12: duration '2' has no unit; write it as " + Units.DURATION_FORM,
                "t.yaml:4:20: duration '0s' must be greater than zero",
                "t.yaml:6:19: bad size '8 KB', expected " + Units.SIZE_FORM,
                "t.yaml:10:27: health check path 'health' must start with '/'",
                "t.yaml:10:45: bad duration '1.5s', expected " + Units.DURATION_FORM);
    }

    @Test
    void severalErrorsAreReportedTogetherInFileOrder() {
        List<String> errors = errors("""
                listeners:
                  - address: 127.0.0.1:80800
                upstreams:
                  web-blue:
                    servers:
                      - address: 127.0.0.1:9001
                        weight: -1
                routes:
                  - upstream: web-red
                  - upstream: web-blue
                    strip_prefix: true
                """);
        assertThat(errors).containsExactly(
                "t.yaml:2:14: port out of range 0-65535 in address '127.0.0.1:80800'",
                "t.yaml:7:17: weight must be an integer from 1 to 1000, found '-1'",
                "t.yaml:9:15: unknown upstream 'web-red'",
                "t.yaml:11:5: strip_prefix: true needs a path_prefix in 'match' (there is nothing to strip)");
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoaderTest.LOADER.parse("listeners: 1\nupstreams: 2\nroutes: 3\n", "t.yaml"));
        assertThat(e.getMessage()).isEqualTo("t.yaml:1:12: 'listeners' must be a list, found a number (and 2 more)");
    }

    @Test
    void anEmptyDocumentIsAnError() {
        assertThat(errors("")).containsExactly(
                "t.yaml:1:1: empty config: expected a mapping with listeners, upstreams and routes");
        assertThat(errors("# nothing yet\n\n")).containsExactly(
                "t.yaml:1:1: empty config: expected a mapping with listeners, upstreams and routes");
        assertThat(errors("- a\n- b\n")).containsExactly("t.yaml:1:1: the config must be a mapping, found a list");
    }

    @Test
    void aYamlSyntaxErrorIsOneLocatedError() {
        assertThat(errors("""
                listeners:
                  - address: 127.0.0.1:8080
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ]
                routes: [ { upstream: web } ]
                """)).singleElement().asString().isEqualTo("t.yaml:4:1: YAML syntax error: expected ',' or '}', but got <scalar>"
                        + " (while parsing a flow mapping that starts at line 3, column 19)");
        assertThat(errors("listeners:\n\t- address: 127.0.0.1:8080\n")).singleElement().asString()
                .startsWith("t.yaml:2:1: YAML syntax error: found character '\\t(TAB)' that cannot start any token");
    }

    @Test
    void aSecondDocumentAndAliasesAreRejected() {
        assertThat(errors("""
                listeners: [ { address: &a 127.0.0.1:8080 } ]
                admin: { address: *a }
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { upstream: web } ]
                ---
                listeners: []
                """)).containsExactly(
                "t.yaml:2:19: YAML aliases (*a) are not supported; write the value out",
                "t.yaml:2:19: bad address 'a', expected host:port",
                "t.yaml:6:1: only one YAML document is allowed; remove the second '---' section");
    }

    @Test
    void aRegistryWithoutTheDefaultBalancerMakesTheDefaultAnError() throws Exception {
        ConfigLoader loader = new ConfigLoader(java.util.Set.of("p2c"));
        String yaml = """
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams:
                  web: { servers: [ { address: 127.0.0.1:9001 } ] }
                  api: { balancer: p2c, servers: [ { address: 127.0.0.1:9002 } ] }
                routes: [ { upstream: web } ]
                """;
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.parse(yaml, "t.yaml"));
        assertThat(e.errors()).extracting(ConfigError::toString).containsExactly(
                "t.yaml:3:8: upstream 'web' names no balancer and the default 'round_robin' is not available;"
                        + " known balancers: p2c");
    }

    @Test
    void aListenerWithoutNameIsNamedByItsAddress() {
        assertThat(errors("""
                listeners:
                  - { name: "127.0.0.1:8081", address: 127.0.0.1:8080 }
                  - { address: 127.0.0.1:8081 }
                  - { name: "", address: 127.0.0.1:8082 }
                admin: { address: 127.0.0.1:8080 }
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { upstream: web } ]
                """)).containsExactly(
                "t.yaml:3:16: duplicate listener name '127.0.0.1:8081' (first at line 2);"
                        + " this listener has no name, so its address is its name",
                "t.yaml:4:13: listener name must not be empty",
                "t.yaml:5:19: admin address 127.0.0.1:8080 is also listener '127.0.0.1:8081'");
    }

    @Test
    void upstreamNamesUseASafeAlphabet() {
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams:
                  "web blue": { servers: [ { address: 127.0.0.1:9001 } ] }
                routes: [ { upstream: web blue } ]
                """)).containsExactly("t.yaml:3:3: bad upstream name 'web blue': use letters, digits, '-', '_' and '.'");
    }

    @Test
    void headerCookieQueryAndMethodConditions() {
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams:
                  web: { servers: [ { address: 127.0.0.1:9001 } ] }
                routes:
                  - match:
                      header: { "x release": a, host: a.test, Cookie: x, x-a: " padded", X-B: 1, x-b: 2, x-c: }
                      cookie: { "a b": x, c: "x y", d: "" }
                      query: { "": x, v: 2 }
                      method: [ get, POST, POST ]
                    upstream: web
                  - match: { header: [ x-a ], method: [] }
                    upstream: web
                  - match: { method: GET }
                    upstream: web
                """)).containsExactly(
                "t.yaml:6:17: bad header name 'x release': expected a token such as x-release",
                "t.yaml:6:33: match the host with 'host' beside 'header', not as a header",
                "t.yaml:6:47: match a cookie with 'cookie: { NAME: value }', not the whole Cookie header",
                "t.yaml:6:63: header value ' padded' starts or ends with whitespace, which is not part of a field"
                        + " value (RFC 9110 5.5)",
                "t.yaml:6:82: 'x-b' is already in 'header' at line 6 (names are compared without case)",
                "t.yaml:6:90: 'x-c' needs a value (write \"\" for an empty one)",
                "t.yaml:7:17: bad cookie name 'a b': expected a token such as release",
                "t.yaml:7:30: bad cookie value 'x y': a cookie value has no spaces, quotes, commas, semicolons or"
                        + " backslashes (RFC 6265 4.1.1)",
                "t.yaml:8:16: a query parameter name cannot be empty",
                "t.yaml:9:17: method 'get' never matches: methods are case-sensitive (RFC 9110 9.1); write 'GET'",
                "t.yaml:9:28: method 'POST' is listed twice",
                "t.yaml:11:22: 'header' must be a mapping of names to values, found a list",
                "t.yaml:11:39: 'method' needs at least one method, such as [ GET, HEAD ]",
                "t.yaml:13:22: 'method' must be a list, found a string");
    }

    @Test
    void headerEditsRefuseFramingAndHopByHopFields() {
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams:
                  web: { servers: [ { address: 127.0.0.1:9001 } ] }
                routes:
                  - upstream: web
                    request_headers:
                      set: { Content-Length: 1, connection: close, host: a.test, x-ip: $remote_addr, x-a: 1 }
                      add: { Host: b.test, Transfer-Encoding: chunked, expect: 100-continue }
                      remove: [ host, x-a, upgrade, x-r, X-R ]
                      replace: { x: y }
                    response_headers:
                      set: { host: a.test, te: trailers, keep-alive: 5, x-ok: "price $5" }
                """)).containsExactly(
                "t.yaml:7:14: header 'content-length' cannot be edited: Bascule frames each message itself for the"
                        + " next hop (RFC 9112 6)",
                "t.yaml:7:33: header 'connection' cannot be edited: hop-by-hop: it describes one connection, not"
                        + " the message (RFC 9110 7.6.1)",
                "t.yaml:7:72: header value '$remote_addr' looks like it uses a variable: values are fixed strings"
                        + " and would be sent as written",
                "t.yaml:8:14: 'host' can only be set: a request has exactly one Host (RFC 9112 3.2)",
                "t.yaml:8:28: header 'transfer-encoding' cannot be edited: Bascule frames each message itself for"
                        + " the next hop (RFC 9112 6)",
                "t.yaml:8:56: header 'expect' cannot be edited: Bascule answers 100-continue itself and sends the"
                        + " body once an origin is ready",
                "t.yaml:9:17: 'host' can only be set: a request has exactly one Host (RFC 9112 3.2)",
                "t.yaml:9:23: header 'x-a' is already edited at line 7: name each header in one of set, add and"
                        + " remove",
                "t.yaml:9:28: header 'upgrade' cannot be edited: hop-by-hop: it describes one connection, not the"
                        + " message (RFC 9110 7.6.1)",
                "t.yaml:9:42: header 'x-r' is already in 'remove' at line 9",
                "t.yaml:10:7: unknown key 'replace' in 'request_headers'; allowed keys: set, add, remove",
                "t.yaml:12:14: 'host' is a request header; a response has none",
                "t.yaml:12:28: header 'te' cannot be edited: hop-by-hop: it describes one connection, not the"
                        + " message (RFC 9110 7.6.1)",
                "t.yaml:12:42: header 'keep-alive' cannot be edited: hop-by-hop: it describes one connection, not"
                        + " the message (RFC 9110 7.6.1)");
    }

    @Test
    void aRouteHasAnUpstreamOrARedirect() {
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams:
                  web: { servers: [ { address: 127.0.0.1:9001 } ] }
                routes:
                  - upstream: web
                    redirect: { to: /new }
                  - match: { path_prefix: /old }
                    redirect: { to: "https://labs.test/new?x=1", status: 304, keep_path: true, code: 301 }
                    strip_prefix: true
                    retry: { attempts: 2 }
                    websocket: false
                    max_body_size: 1m
                    request_headers: { set: { x-a: b } }
                  - redirect: { to: "ftp://labs.test/" }
                  - redirect: { to: "//labs.test/x" }
                  - redirect: { to: "https:///x" }
                  - redirect: { to: "/a b" }
                  - redirect: { status: 301 }
                """)).containsExactly(
                "t.yaml:6:5: a route has 'upstream' or 'redirect', not both: a redirect is answered by Bascule itself",
                "t.yaml:8:21: with keep_path: true, 'to' cannot have a query or a fragment: the request's path and"
                        + " query are appended to it",
                "t.yaml:8:58: redirect status must be 301, 302, 303, 307 or 308, found 304",
                "t.yaml:8:80: unknown key 'code' in 'redirect'; allowed keys: to, status, keep_path",
                "t.yaml:9:5: 'strip_prefix' does not apply to a redirect route: Bascule answers it without"
                        + " forwarding anything",
                "t.yaml:10:5: 'retry' does not apply to a redirect route: Bascule answers it without forwarding"
                        + " anything",
                "t.yaml:11:5: 'websocket' does not apply to a redirect route: Bascule answers it without forwarding"
                        + " anything",
                "t.yaml:12:5: 'max_body_size' does not apply to a redirect route: Bascule answers it without"
                        + " forwarding anything",
                "t.yaml:13:5: 'request_headers' does not apply to a redirect route: Bascule answers it without"
                        + " forwarding anything",
                "t.yaml:14:21: redirect 'to' 'ftp://labs.test/' must be an http:// or https:// URL, or a path"
                        + " starting with '/'",
                "t.yaml:15:21: redirect 'to' '//labs.test/x' must be an http:// or https:// URL, or a path starting"
                        + " with '/'",
                "t.yaml:16:21: redirect 'to' 'https:///x' has no host",
                "t.yaml:17:21: redirect 'to' '/a b' must be visible ASCII without spaces; percent-encode anything"
                        + " else",
                "t.yaml:18:15: missing 'to' in 'redirect'");
    }

    @Test
    void aMirrorNamesAnotherKnownUpstreamAShareAndALimit() {
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams:
                  blue: { servers: [ { address: 127.0.0.1:9001 } ] }
                  green: { servers: [ { address: 127.0.0.1:9002 } ] }
                routes:
                  - { upstream: blue, mirror: { upstream: red } }
                  - { upstream: blue, mirror: { upstream: blue } }
                  - { upstream: blue, mirror: { upstream: green, percent: 0 } }
                  - { upstream: blue, mirror: { upstream: green, percent: 100.5 } }
                  - { upstream: blue, mirror: { upstream: green, percent: 10% } }
                  - { upstream: blue, mirror: { upstream: green, percent: 0.00001 } }
                  - { upstream: blue, mirror: { upstream: green, max_in_flight: 0 } }
                  - { upstream: blue, mirror: { percent: 5, copies: 2 } }
                  - { upstream: blue, mirror: green }
                  - match: { path_prefix: /old }
                    redirect: { to: /new }
                    mirror: { upstream: green }
                """)).containsExactly(
                "t.yaml:6:43: unknown upstream 'red'",
                "t.yaml:7:43: a route cannot mirror to its own upstream 'blue': the same servers would get each copied"
                        + " request twice",
                "t.yaml:8:59: percent must be a number above 0 and at most 100 with at most four decimals, such as"
                        + " 10 or 0.5, found '0'",
                "t.yaml:9:59: percent must be a number above 0 and at most 100 with at most four decimals, such as"
                        + " 10 or 0.5, found '100.5'",
                "t.yaml:10:59: percent must be a number above 0 and at most 100 with at most four decimals, such as"
                        + " 10 or 0.5, found '10%'",
                "t.yaml:11:59: percent must be a number above 0 and at most 100 with at most four decimals, such as"
                        + " 10 or 0.5, found '0.00001'",
                "t.yaml:12:65: max_in_flight must be an integer of at least 1, found '0'",
                "t.yaml:13:31: missing 'upstream' in 'mirror'",
                "t.yaml:13:45: unknown key 'copies' in 'mirror'; allowed keys: upstream, percent, max_in_flight",
                "t.yaml:14:31: 'mirror' must be a mapping, found a string",
                "t.yaml:17:5: 'mirror' does not apply to a redirect route: Bascule answers it without forwarding"
                        + " anything");
    }
}
