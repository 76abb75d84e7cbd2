package dev.bascule.control;

import dev.bascule.balance.Balancers;
import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ConfigLoader;
import dev.bascule.tls.TlsMaterial;
import dev.bascule.upstream.ServerRegistry;
import java.time.Instant;

/** Control-plane parts built from YAML, without a control thread. */
final class Fixtures {
    private Fixtures() {}

    static BasculeConfig config(String yaml) throws Exception {
        return new ConfigLoader(Balancers.standard().names()).parse(yaml, "t.yaml");
    }

    static LoadedConfig loaded(BasculeConfig config, long version) throws Exception {
        return new LoadedConfig(config, version, Instant.parse("2026-11-30T00:00:00Z"), TlsMaterial.NONE,
                ListenerReconciler.settingsOf(config, TlsMaterial.NONE, new dev.bascule.stats.StatsRegistry()), null);
    }

    static Membership membership(BasculeConfig config, ServerRegistry registry, long now) throws Exception {
        return new Membership(registry, Resolver.SYSTEM, () -> now, MemberResolution.resolveMembers(config,
                Resolver.SYSTEM));
    }

    static Snapshot snapshot(LoadedConfig loaded, Membership membership, ServerRegistry registry, long now) {
        return new SnapshotBuilder(registry, new dev.bascule.stats.StatsRegistry(), Balancers.standard(), () -> now)
                .build(loaded, membership.pools(), null, now, ExchangeEvents.NONE);
    }
}
