package dev.bascule.fleet;

import dev.bascule.config.ClusterConfig;
import io.etcd.jetcd.Client;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code ./bascule push}: stores a validated config as the fleet's new version. The text is stored as written, so
 * every instance reads the file the operator wrote (comments included); the key's mod revision is the version.
 */
public final class ConfigPush {
    private ConfigPush() {}

    /**
     * @return the revision the config was stored at
     * @throws IOException when etcd cannot be reached or refuses the write
     */
    public static long push(ClusterConfig cluster, String yamlText) throws IOException, InterruptedException {
        try (Client client = EtcdClients.of(cluster.etcd())) {
            FleetKeys keys = new FleetKeys(cluster.keyPrefix());
            long wait = cluster.etcd().dialTimeout().toMillis() + 5_000;
            return client.getKVClient().put(keys.config(), FleetKeys.bytes(yamlText))
                    .get(wait, TimeUnit.MILLISECONDS).getHeader().getRevision();
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IOException("etcd " + cluster.etcd().endpoints() + " did not take the config: "
                    + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName()), cause);
        }
    }
}
