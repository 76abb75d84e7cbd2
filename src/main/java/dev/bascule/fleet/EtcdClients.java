package dev.bascule.fleet;

import dev.bascule.config.ClusterConfig;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** Builds the etcd client of a {@code cluster} section: its endpoints, timeouts, credentials and TLS. */
final class EtcdClients {
    private EtcdClients() {}

    /**
     * The client; it connects lazily, so this does not fail when etcd is down.
     *
     * @throws IOException when a TLS file cannot be read
     */
    static Client of(ClusterConfig.Etcd etcd) throws IOException {
        ClientBuilder b = Client.builder()
                .endpoints(etcd.endpoints().stream().map(URI::toString).toArray(String[]::new))
                .connectTimeout(etcd.dialTimeout())
                // Keep-alive pings find a dead member within seconds, not at the OS's TCP timeout.
                .keepaliveTime(java.time.Duration.ofSeconds(5))
                .keepaliveTimeout(java.time.Duration.ofSeconds(3))
                .keepaliveWithoutCalls(true)
                // A call fails at once while no member can be reached, instead of waiting for one: a command is then
                // refused with 503 promptly, and a health check's own channel is shut down rather than left behind.
                .waitForReady(false);
        if (etcd.user() != null) {
            b.user(FleetKeys.bytes(etcd.user())).password(io.etcd.jetcd.ByteSequence.from(etcd.password(),
                    StandardCharsets.UTF_8));
        }
        if (etcd.tls() != null) {
            SslContextBuilder ssl = GrpcSslContexts.forClient();
            if (etcd.tls().ca() != null) {
                ssl.trustManager(etcd.tls().ca().toFile());
            }
            if (etcd.tls().cert() != null) {
                ssl.keyManager(etcd.tls().cert().toFile(), etcd.tls().key().toFile());
            }
            b.sslContext(ssl.build());
        }
        return b.build();
    }
}
