package dev.bascule.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.upstream.ServerState;
import org.junit.jupiter.api.Test;

/** How a server's state is named in the admin status. */
class StatusReportTest {

    @Test
    void drainingWinsOverEjectedWhichWinsOverTheProbeVerdict() {
        ServerState s = new ServerState();
        assertThat(StatusReport.stateLabel(s, 0)).isEqualTo("healthy");
        s.setProbeHealthy(false, "refused");
        assertThat(StatusReport.stateLabel(s, 0)).isEqualTo("unhealthy");
        s.eject(1_000, false);
        assertThat(StatusReport.stateLabel(s, 999)).isEqualTo("ejected");
        assertThat(StatusReport.stateLabel(s, 1_000)).as("ejection over").isEqualTo("unhealthy");
        s.setDraining(true);
        assertThat(StatusReport.stateLabel(s, 999)).isEqualTo("draining");
    }

    @Test
    void reportsEveryUpstreamInConfigOrderWithItsServersAndTheConfigVersion() throws Exception {
        var config = Fixtures.config("""
                listeners: [ { address: 127.0.0.1:0 } ]
                upstreams:
                  web:
                    balancer: least_conn
                    servers: [ { address: 127.0.0.1:9001, weight: 2 }, { address: 127.0.0.1:9002 } ]
                  api:
                    servers: [ { address: 127.0.0.1:9003 } ]
                routes: [ { upstream: web } ]
                """);
        var registry = new dev.bascule.upstream.ServerRegistry();
        Membership membership = Fixtures.membership(config, registry, 0);
        LoadedConfig loaded = Fixtures.loaded(config, 4);
        Snapshot live = Fixtures.snapshot(loaded, membership, registry, 0);
        ServerState second = membership.state("web", membership.find("web", "127.0.0.1:9002"));
        second.requestStarted();
        second.setDraining(true);

        Status status = StatusReport.of(loaded, live, membership, 0);
        assertThat(status.config().version()).isEqualTo(4);
        assertThat(status.config().file()).isEqualTo("t.yaml");
        assertThat(status.config().loadedAt()).isEqualTo(loaded.loadedAt());
        assertThat(status.upstreams().keySet()).containsExactly("web", "api");
        assertThat(status.upstreams().get("web").balancer()).isEqualTo("least_conn");
        assertThat(status.upstreams().get("web").servers())
                .extracting(Status.ServerStatus::address, Status.ServerStatus::weight, Status.ServerStatus::state,
                        Status.ServerStatus::inFlight, Status.ServerStatus::source)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("127.0.0.1:9001", 2, "healthy", 0, "config"),
                        org.assertj.core.groups.Tuple.tuple("127.0.0.1:9002", 1, "draining", 1, "config"));
    }
}
