package dev.bascule.control;

import dev.bascule.config.AdminToken;
import dev.bascule.config.BasculeConfig;
import dev.bascule.tls.TlsMaterial;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Map;

/**
 * A config in force with everything read for it outside the file: its TLS contexts, its listeners' resolved
 * addresses and settings, and the admin API's token. Rebuilt only by a reload; health and membership changes
 * rebuild snapshots from the same instance, so they never re-read a certificate.
 *
 * <p>Immutable.
 *
 * @param version 1 for the first config, one more per successful reload
 * @param loadedAt when it was loaded
 * @param listeners by resolved configured address, in config order
 * @param adminToken from {@code admin.token_file}; null when the config sets none
 */
record LoadedConfig(BasculeConfig config, long version, Instant loadedAt, TlsMaterial tls,
        Map<InetSocketAddress, ListenerSettings> listeners, AdminToken adminToken) {}
