/**
 * Control plane: Prometheus metrics for the admin API's {@code GET /metrics}. Lock-free recorders fed by exchange
 * events; formatting only when scraped. What already exists as state (each server's state, in-flight count,
 * ejections and open connections, each upstream's queue, the config version, reload outcomes, open client
 * connections) is not copied: collectors read it from the live snapshot at scrape time, so servers and upstreams a
 * reload removed leave the output by themselves. The JVM's and the process's own metrics come from the Prometheus
 * client's JVM instrumentation, registered once per process.
 *
 * <p>Entry point: {@link dev.bascule.metrics.Metrics}. Only the entry point (wiring) and the admin API use this
 * package; the data plane never calls into it.
 */
package dev.bascule.metrics;
