package dev.bascule.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.config.BasculeConfig;
import dev.bascule.health.ProbeTarget;
import dev.bascule.tls.TlsMaterial;
import dev.bascule.upstream.ServerRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What active checks are told to probe. */
class ProbeTargetsTest {

    @Test
    void everyMemberOfACheckedUpstreamAndOnlyThoseWithListenersToldOfChangesOnly() throws Exception {
        BasculeConfig config = Fixtures.config("""
                listeners: [ { address: 127.0.0.1:0 } ]
                upstreams:
                  checked:
                    servers: [ { address: 127.0.0.1:9001 }, { address: 127.0.0.1:9002 } ]
                    health_check: { path: /healthz, interval: 2s }
                  unchecked:
                    servers: [ { address: 127.0.0.1:9003 } ]
                routes: [ { upstream: checked } ]
                """);
        Membership membership = Fixtures.membership(config, new ServerRegistry(), 0);
        ProbeTargets targets = new ProbeTargets(() -> TlsMaterial.NONE);
        AtomicInteger told = new AtomicInteger();
        targets.onChange(told::incrementAndGet);

        targets.refresh(config, membership);
        assertThat(targets.current()).extracting(ProbeTarget::upstream, ProbeTarget::address, ProbeTarget::fresh)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("checked", "127.0.0.1:9001", false),
                        org.assertj.core.groups.Tuple.tuple("checked", "127.0.0.1:9002", false));
        assertThat(targets.current().get(0).check().path()).isEqualTo("/healthz");
        assertThat(told).hasValue(1);

        targets.refresh(config, membership);
        assertThat(told).as("nothing changed").hasValue(1);

        membership.add("checked", "127.0.0.1:9004", 1, true);
        targets.refresh(config, membership);
        assertThat(told).hasValue(2);
        assertThat(targets.current().get(2).fresh()).isTrue();
        assertThat(targets.current().get(2).socketAddress().getPort()).isEqualTo(9004);
    }
}
