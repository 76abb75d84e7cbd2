package dev.bascule.metrics;

import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The JVM's and the process's metrics (memory, GC, threads, classes, CPU, open file descriptors), in one registry
 * for the whole process. They describe the process, not one proxy in it, and the client library keeps every
 * registry its JVM metrics were registered on (and adds GC listeners) for the life of the JVM: one shared registry
 * keeps a process that starts several proxies (the tests) from piling them up.
 *
 * <p>Threading: any thread; built once, on first use (holder idiom).
 */
final class JvmRegistry {
    private JvmRegistry() {}

    static PrometheusRegistry get() {
        return Holder.REGISTRY;
    }

    private static final class Holder {
        static final PrometheusRegistry REGISTRY = build();

        private static PrometheusRegistry build() {
            PrometheusRegistry registry = new PrometheusRegistry();
            JvmMetrics.builder().register(registry);
            return registry;
        }
    }
}
