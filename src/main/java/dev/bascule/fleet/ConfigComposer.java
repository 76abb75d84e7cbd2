package dev.bascule.fleet;

import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ConfigError;
import dev.bascule.config.ConfigException;
import java.util.List;

/**
 * Puts an instance's config together from its own file and the fleet's shared config. The shared config gives
 * everything but what belongs to the instance: its {@code cluster} section and its state file always come from
 * its file, and its {@code listeners} and {@code admin} do too when the file writes them (each instance may listen
 * where it likes); otherwise the shared config's apply.
 */
final class ConfigComposer {
    private ConfigComposer() {}

    /**
     * @param shared the fleet's config; null while etcd holds none (then the file alone applies)
     * @throws ConfigException when the result has no listener at all
     */
    static BasculeConfig compose(BasculeConfig local, BasculeConfig shared) throws ConfigException {
        if (shared == null) {
            return local;
        }
        BasculeConfig c = new BasculeConfig(shared.source(),
                local.listeners().isEmpty() ? shared.listeners() : local.listeners(),
                local.admin() != null ? local.admin() : shared.admin(),
                shared.timeouts(), shared.limits(), shared.upstreams(), shared.routes(), shared.shutdownGrace(),
                shared.trustedProxies(), shared.via(), shared.requestId(), shared.tracing(), shared.accessLog(),
                local.stateFile(), shared.redis(), local.cluster());
        if (c.listeners().isEmpty()) {
            throw new ConfigException(List.of(new ConfigError(shared.source(), 1, 1, "no listeners: neither "
                    + local.source() + " nor the fleet's config gives any")));
        }
        return c;
    }
}
