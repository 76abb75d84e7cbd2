package dev.bascule.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The {@code cluster} section: every key, the defaults, the errors, and what it makes optional. */
class ClusterConfigTest {
    private static final ConfigLoader LOADER = new ConfigLoader(Set.of("round_robin"));

    private static List<String> errors(String yaml) {
        try {
            LOADER.parse(yaml, "t.yaml");
            return List.of();
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).toList();
        }
    }

    @Test
    void everyKey() throws Exception {
        BasculeConfig c = LOADER.parse("""
                cluster:
                  name: labs.eu-1
                  node: edge_7
                  etcd:
                    endpoints: [ "https://10.0.0.1:2379", "https://10.0.0.2:2379" ]
                    dial_timeout: 3s
                    user: bascule
                    password: secret
                    tls: { ca: ca.pem, cert: client.pem, key: client.key }
                """, "/etc/bascule/edge.yaml");
        ClusterConfig k = c.cluster();
        assertThat(k.name()).isEqualTo("labs.eu-1");
        assertThat(k.node()).isEqualTo("edge_7");
        assertThat(k.keyPrefix()).isEqualTo("/bascule/labs.eu-1/");
        assertThat(k.etcd().endpoints()).containsExactly(URI.create("https://10.0.0.1:2379"),
                URI.create("https://10.0.0.2:2379"));
        assertThat(k.etcd().dialTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(k.etcd().user()).isEqualTo("bascule");
        assertThat(k.etcd().password()).isEqualTo("secret");
        assertThat(k.etcd().toString()).doesNotContain("secret");
        assertThat(k.etcd().tls()).isEqualTo(new ClusterConfig.EtcdTls(Path.of("/etc/bascule/ca.pem"),
                Path.of("/etc/bascule/client.pem"), Path.of("/etc/bascule/client.key")));
        assertThat(c.listeners()).isEmpty();
        assertThat(c.upstreams()).isEmpty();
        assertThat(c.routes()).isEmpty();
    }

    @Test
    void defaults() throws Exception {
        ClusterConfig k = LOADER.parse("cluster: { name: labs, node: \"\", etcd: { endpoints: [ \"http://127.0.0.1:2379\" ] } }\n",
                "t.yaml").cluster();
        assertThat(k.node()).as("empty: the host name and the admin port").isNull();
        assertThat(k.etcd().dialTimeout()).isEqualTo(ClusterConfig.DEFAULT_DIAL_TIMEOUT);
        assertThat(k.etcd().user()).isNull();
        assertThat(k.etcd().tls()).isNull();
    }

    @Test
    void mistakesAreReportedWithTheirPlace() {
        assertThat(errors("""
                cluster:
                  name: "labs/eu"
                  node: "a b"
                  etcd:
                    endpoints: [ "127.0.0.1:2379", "http://127.0.0.1:2379/v3", "http://127.0.0.1" ]
                    user: bascule
                    tls: { cert: c.pem }
                """)).containsExactly(
                "t.yaml:2:9: bad cluster name 'labs/eu', expected 1 to 64 letters, digits, '.', '_' or '-'",
                "t.yaml:3:9: bad cluster node 'a b', expected 1 to 64 letters, digits, '.', '_' or '-', or empty for the"
                        + " host name and the admin port",
                "t.yaml:5:5: etcd 'user' and 'password' go together: give both or neither",
                "t.yaml:5:18: bad etcd endpoint '127.0.0.1:2379', expected an http or https URL with a host and a port,"
                        + " such as http://127.0.0.1:2379",
                "t.yaml:5:36: bad etcd endpoint 'http://127.0.0.1:2379/v3', expected an http or https URL with a host"
                        + " and a port, such as http://127.0.0.1:2379",
                "t.yaml:5:64: bad etcd endpoint 'http://127.0.0.1', expected an http or https URL with a host and a port,"
                        + " such as http://127.0.0.1:2379",
                "t.yaml:7:10: etcd tls 'cert' and 'key' go together: give both or neither");
        assertThat(errors("cluster: { name: labs }\n")).containsExactly("t.yaml:1:10: missing 'etcd' in 'cluster'");
        assertThat(errors("cluster: { name: labs, etcd: { endpoints: [] } }\n")).containsExactly(
                "t.yaml:1:43: 'endpoints' needs at least one etcd URL, such as http://127.0.0.1:2379");
    }

    @Test
    void withoutClusterListenersUpstreamsAndRoutesAreRequired() {
        assertThat(errors("admin: { address: 127.0.0.1:9901 }\n")).hasSize(3);
    }

    @Test
    void theSharedConfigMayLeaveOutWhatEachInstanceGives() throws Exception {
        BasculeConfig shared = LOADER.parseShared("""
                upstreams: { web: { servers: [ { address: 127.0.0.1:9001 } ] } }
                routes: [ { match: { path_prefix: / }, upstream: web } ]
                """, "etcd:/bascule/labs/config@7", Path.of("/srv"));
        assertThat(shared.listeners()).isEmpty();
        assertThat(shared.source()).isEqualTo("etcd:/bascule/labs/config@7");
        assertThat(shared.stateFile()).isNull();
        assertThatThrownBy(() -> LOADER.parseShared("routes: [ { match: { path_prefix: / }, upstream: web } ]\n",
                "shared.yaml", Path.of("/srv"))).isInstanceOf(ConfigException.class).hasMessageContaining(
                        "shared.yaml:1:50: unknown upstream 'web'");
    }

    @Test
    void theReadmesFleetExampleIsAValidSharedConfig() throws Exception {
        Path file = Path.of("examples/fleet/labs-fleet.yaml");
        BasculeConfig shared = LOADER.parseShared(java.nio.file.Files.readString(file), file.toString(),
                Path.of("examples/fleet"));
        assertThat(shared.redis()).isNotNull();
        assertThat(shared.upstreams()).containsOnlyKeys("web-blue", "web-green");
        assertThat(shared.routes()).anyMatch(r -> "app".equals(r.name()) && r.split() != null);
        assertThat(shared.routes()).anyMatch(r -> r.rateLimit() != null
                && r.rateLimit().scope() == RateLimitConfig.Scope.GLOBAL);
    }
}
