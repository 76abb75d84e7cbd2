package dev.bascule.history;

import java.util.List;

/** What a series counts, and the metrics it keeps. */
public enum SeriesKind {
    /** Every request to every listener, routed or not. */
    TOTAL(List.of(Metric.REQUESTS, Metric.ERRORS, Metric.P50_MS, Metric.P99_MS)),
    /** The requests of every route sent to one upstream, latencies from their merged histograms. */
    UPSTREAM(List.of(Metric.REQUESTS, Metric.ERRORS, Metric.P50_MS, Metric.P99_MS)),
    /** The attempts sent to one server of one upstream (retries count on each server they tried). */
    SERVER(List.of(Metric.REQUESTS, Metric.ERRORS, Metric.P50_MS, Metric.P99_MS)),
    /** The requests of one route (label and upstream), with the status classes sent to clients. */
    ROUTE(List.of(Metric.REQUESTS, Metric.ERRORS, Metric.STATUS_2XX, Metric.STATUS_3XX, Metric.STATUS_4XX,
            Metric.STATUS_5XX, Metric.P50_MS, Metric.P99_MS));

    private final List<Metric> metrics;

    SeriesKind(List<Metric> metrics) {
        this.metrics = metrics;
    }

    /** In the order their values are stored; {@link Metric#REQUESTS} first, never NaN while the series exists. */
    public List<Metric> metrics() {
        return metrics;
    }
}
