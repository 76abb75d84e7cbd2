package dev.bascule.history;

/**
 * One number a series keeps each second. Rates are per second over the sample's interval; latencies are the
 * quantile in milliseconds of what finished during it, NaN when nothing did.
 */
public enum Metric {
    /** Requests answered to clients (routes, upstreams, total); attempts sent (servers: answers + connect failures). */
    REQUESTS("requests"),
    /** 5xx sent to clients (routes, upstreams, total); 5xx answers + connect failures (servers). */
    ERRORS("errors"),
    STATUS_2XX("2xx"),
    STATUS_3XX("3xx"),
    STATUS_4XX("4xx"),
    STATUS_5XX("5xx"),
    /** Median request duration (routes, upstreams, total) or response time (servers), in milliseconds. */
    P50_MS("p50_ms"),
    P99_MS("p99_ms");

    private final String key;

    Metric(String key) {
        this.key = key;
    }

    /** The name {@code GET /stats} gives it. */
    public String key() {
        return key;
    }
}
