package dev.bascule.control;

import dev.bascule.stats.ExchangeRecord;
import dev.bascule.stats.LocalReason;
import dev.bascule.stats.RecordSink;
import dev.bascule.stats.RetryReason;
import dev.bascule.stats.RouteSeries;
import dev.bascule.stats.StatsRegistry;
import dev.bascule.upstream.AttemptFailure;
import dev.bascule.upstream.Server;
import java.util.List;

/**
 * The listeners of exchange events: passive health first, then the counters (each through a handle the snapshot
 * resolved, never a lookup), then the sinks of finished requests (access log, tracing). Counting takes no lock and
 * allocates nothing.
 *
 * <p>Immutable; a new one is made when the sinks change. Threading: called on event loops.
 */
final class RecordingEvents implements ExchangeEvents {
    private final ExchangeEvents health;
    private final StatsRegistry stats;
    private final RecordSink[] sinks;

    RecordingEvents(ExchangeEvents health, StatsRegistry stats, List<RecordSink> sinks) {
        this.health = health;
        this.stats = stats;
        this.sinks = sinks.toArray(new RecordSink[0]);
    }

    @Override
    public void attemptSucceeded(Pool pool, Server server) {
        health.attemptSucceeded(pool, server);
    }

    @Override
    public void attemptFailed(Pool pool, Server server, AttemptFailure failure) {
        if (failure == AttemptFailure.CONNECT) {
            server.state().stats().connectFailed();
        }
        health.attemptFailed(pool, server, failure);
    }

    @Override
    public void answered(Pool pool, Server server, int status, long responseNanos) {
        server.state().stats().answered(status, responseNanos);
    }

    @Override
    public void retried(Pool pool, RetryReason reason) {
        pool.stats().retried(reason);
    }

    @Override
    public void exchangeEnded(ExchangeRecord record) {
        RouteSeries series = record.route();
        if (series != null) {
            series.requests(record.listener()).increment(record.status());
            series.stats().completed(record.durationNanos(), record.grpcStatus());
        }
        LocalReason local = record.local();
        if (local != null) {
            stats.localResponse(local);
        }
        record.listener().transferred(record.bytesIn(), record.bytesOut());
        for (RecordSink sink : sinks) {
            sink.accept(record);
        }
    }
}
