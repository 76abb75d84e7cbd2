package dev.bascule.config;

import static dev.bascule.config.ConfigErrorsTest.errors;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Mistakes in the admin section: an exposed admin API without a token, bad allowed hosts, TLS, token_file. */
class AdminErrorsTest {
    private static String withAdmin(String admin) {
        return """
                listeners: [ { address: 127.0.0.1:8080 } ]
                admin: %s
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { upstream: web } ]
                """.formatted(admin);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0:9901", "10.0.0.5:9901", "[::]:9901", "[fd00::1]:9901", "ops.internal:9901",
            "localhost.example.com:9901"})
    void anAdminAddressThatIsNotLoopbackNeedsAToken(String address) {
        assertThat(errors(withAdmin("{ address: \"" + address + "\" }"))).containsExactly(
                "t.yaml:2:19: admin address " + HostPort.parse(address) + " is not loopback, so it needs token_file:"
                        + " anyone who can reach it could drive Bascule (only localhost, 127.0.0.0/8 and [::1] count"
                        + " as loopback here)");
        assertThat(errors(withAdmin("{ address: \"" + address + "\", token_file: \"\" }")))
                .as("the default written out is no token").hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:9901", "127.8.9.10:0", "localhost:9901", "LOCALHOST:9901", "[::1]:9901",
            "[0:0:0:0:0:0:0:1]:9901"})
    void aLoopbackAdminAddressNeedsNoToken(String address) throws Exception {
        assertThat(ConfigLoaderTest.LOADER.parse(withAdmin("{ address: \"" + address + "\" }"), "t.yaml").admin()
                .tokenFile()).isNull();
    }

    @Test
    void anAdminAddressThatIsNotLoopbackIsFineWithAToken() throws Exception {
        AdminConfig admin = ConfigLoaderTest.LOADER.parse(
                withAdmin("{ address: 0.0.0.0:9901, token_file: /run/secrets/admin }"), "t.yaml").admin();

        assertThat(admin.tokenFile()).isEqualTo(new TokenFile(java.nio.file.Path.of("/run/secrets/admin"), 2, 33));
    }

    @Test
    void badKeysAndValues() {
        assertThat(errors("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                admin:
                  address: 127.0.0.1:9901
                  token: abc
                  token_file: [ a, b ]
                  tls: { cert: admin.pem }
                  allowed_hosts: [ ops.example.com:9901, "*.example.com", "", "[not-v6]", { a: 1 }, ok.example ]
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { upstream: web } ]
                """)).containsExactly(
                "t.yaml:4:3: unknown key 'token' in 'admin'; allowed keys: address, token_file, tls, allowed_hosts",
                "t.yaml:5:15: 'token_file' must be a single value, found a list",
                "t.yaml:6:8: missing 'key' in 'tls' of 'admin'",
                "t.yaml:7:20: bad allowed_hosts entry 'ops.example.com:9901': expected a host name such as"
                        + " ops.example.com, an IPv4 address or an IPv6 one in brackets, without a port",
                "t.yaml:7:42: bad allowed_hosts entry '*.example.com': expected a host name such as"
                        + " ops.example.com, an IPv4 address or an IPv6 one in brackets, without a port",
                "t.yaml:7:59: bad allowed_hosts entry '': expected a host name such as"
                        + " ops.example.com, an IPv4 address or an IPv6 one in brackets, without a port",
                "t.yaml:7:63: bad allowed_hosts entry '[not-v6]': expected a host name such as"
                        + " ops.example.com, an IPv4 address or an IPv6 one in brackets, without a port",
                "t.yaml:7:75: each item of 'allowed_hosts' must be a single value, found a mapping");
        assertThat(errors(withAdmin("{ address: 127.0.0.1:9901, tls: [ admin.pem ], allowed_hosts: ops.example.com }")))
                .containsExactly(
                        "t.yaml:2:40: 'tls' of 'admin' must be a mapping, found a list",
                        "t.yaml:2:70: 'allowed_hosts' must be a list, found a string");
        assertThat(errors(withAdmin("{ address: 127.0.0.1:9901, tls: { cert: a.pem, key: a.key, certificates: [] } }")))
                .containsExactly(
                        "t.yaml:2:67: unknown key 'certificates' in 'tls' of 'admin'; allowed keys: cert, key");
    }
}
