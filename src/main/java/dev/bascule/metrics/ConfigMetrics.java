package dev.bascule.metrics;

import dev.bascule.control.LiveSnapshot;
import dev.bascule.control.ReloadCounter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * Which config and which build are running: the config version and the reloads by outcome, read at scrape time,
 * and the build's version with the Java runtime's.
 *
 * <p>Threading: the callbacks run on the scraping thread and read a volatile reference and atomics only.
 */
final class ConfigMetrics {
    private ConfigMetrics() {}

    static void register(PrometheusRegistry registry, LiveSnapshot live, ReloadCounter reloads) {
        GaugeWithCallback.builder()
                .name("bascule_config_version")
                .help("The config in force: 1 for the config loaded at start, one more per successful reload")
                .callback(cb -> cb.call(live.get().configVersion()))
                .register(registry);
        CounterWithCallback.builder()
                .name("bascule_config_reloads_total")
                .help("Config reloads by outcome: ok (swapped in) or rejected (refused, the running config stayed)")
                .labelNames("result")
                .callback(cb -> {
                    cb.call(reloads.ok(), "ok");
                    cb.call(reloads.rejected(), "rejected");
                })
                .register(registry);
        Info build = Info.builder()
                .name("bascule_build_info")
                .help("The running build: Bascule's version and the Java runtime's")
                .labelNames("version", "java")
                .register(registry);
        build.setLabelValues(version(), System.getProperty("java.version", "unknown"));
    }

    /** The version Maven wrote into the jar at build time ({@code version.properties}, as {@code --version}). */
    static String version() {
        Properties p = new Properties();
        try (InputStream in = ConfigMetrics.class.getResourceAsStream("/dev/bascule/version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return p.getProperty("version", "unknown");
    }
}
