package dev.bascule.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bascule.state.ReleaseState;
import dev.bascule.state.ServerChange;
import dev.bascule.state.StateJson;
import dev.bascule.testing.EtcdProcess;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The estimate docs/fleet.md gives of how many server changes a fleet's runtime state holds: the whole state is one
 * etcd value, and etcd refuses a request over its default {@code --max-request-bytes} (1.5 MiB). A real etcd takes
 * the state of 8,500 server changes with short names and refuses 9,000; with 30-character upstream names and IPv6
 * addresses it takes 7,300.
 */
class StateSizeLimitTest {
    /** As the control plane stamps a change: the clock's instant, to the nanosecond on Linux. */
    private static final Instant AT = Instant.parse("2026-11-30T08:30:14.788442982Z");

    private static byte[] state(int changes, boolean longNames) {
        List<ServerChange> servers = new ArrayList<>();
        for (int i = 0; i < changes; i++) {
            servers.add(longNames
                    ? new ServerChange("checkout-service-green-eu-west", "[2001:db8::" + Integer.toHexString(i)
                            + ":5678]:8443", ServerChange.Kind.WEIGHT, 3, 1, AT)
                    : new ServerChange("web-green", "10.1." + i / 250 + "." + i % 250 + ":8080",
                            ServerChange.Kind.ADDED, 1, null, AT));
        }
        return StateJson.write(123_456, AT, new ReleaseState(List.of(), servers));
    }

    @Test
    void aStateOfAbout8500ServerChangesIsTheMostEtcdTakes() throws Exception {
        assertThat(state(1_000, false).length / 1_000.0).as("bytes per change, short names").isBetween(180.0, 190.0);
        assertThat(state(1_000, true).length / 1_000.0).as("bytes per change, long names").isBetween(205.0, 220.0);
        try (EtcdProcess etcd = EtcdProcess.start();
                Client client = Client.builder().endpoints(etcd.endpoint()).build()) {
            ByteSequence key = FleetKeys.bytes("/bascule/labs/state");
            client.getKVClient().put(key, ByteSequence.from(state(8_500, false))).get(10, TimeUnit.SECONDS);
            client.getKVClient().put(key, ByteSequence.from(state(7_300, true))).get(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> client.getKVClient().put(key, ByteSequence.from(state(9_000, false)))
                    .get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("request is too large");
        }
    }
}
