package dev.bascule.control;

import dev.bascule.config.BasculeConfig;
import dev.bascule.config.UpstreamConfig;
import dev.bascule.health.EjectionPolicy;
import dev.bascule.stats.ExchangeRecord;
import dev.bascule.stats.RetryReason;
import dev.bascule.upstream.AttemptFailure;
import dev.bascule.upstream.Server;
import dev.bascule.upstream.ServerState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's part that turns what is learnt of a server's health into its state: active check results
 * (up, down, the first pass of a new server, the pass that ends an ejection) and the failures the data plane
 * counts on real traffic, which eject a server for a while ({@link EjectionPolicy}). Each change is recorded for
 * the dashboard ({@link Transitions}) and published.
 *
 * <p>Threading: control thread only, but for {@link #passiveEvents()}, whose callbacks run on the event loops and
 * hand an ejection to the control thread.
 */
final class HealthFeedback {
    private static final Logger log = LoggerFactory.getLogger(HealthFeedback.class);

    private final ScheduledExecutorService thread;
    private final Membership membership;
    private final Transitions transitions;
    private final LongSupplier nanoTime;
    private final EjectionPolicy ejections;
    private final Supplier<BasculeConfig> file;
    private final Runnable publish;
    /** Tells active checks that a new server passed its first probe, so its probe interval changes. */
    private final Runnable probeTargetsChanged;

    HealthFeedback(ScheduledExecutorService thread, Membership membership, Transitions transitions,
            LongSupplier nanoTime, Supplier<BasculeConfig> file, Runnable publish, Runnable probeTargetsChanged) {
        this.thread = thread;
        this.membership = membership;
        this.transitions = transitions;
        this.nanoTime = nanoTime;
        this.ejections = new EjectionPolicy(nanoTime);
        this.file = file;
        this.publish = publish;
        this.probeTargetsChanged = probeTargetsChanged;
    }

    /** A server's state as {@code /status} names it, or {@code absent}. */
    String labelOf(String upstream, String address) {
        Member m = membership.find(upstream, Membership.normalize(address));
        return m == null ? "absent" : StatusReport.stateLabel(membership.state(upstream, m), nanoTime.getAsLong());
    }

    /** An active check's result. */
    void reportProbe(String upstream, String address, boolean healthy, String problem) {
        Member m = membership.find(upstream, address);
        if (m == null) {
            return;
        }
        ServerState st = membership.state(upstream, m);
        boolean wasFresh = membership.firstPass(st);
        boolean wasHealthy = st.probeHealthy();
        boolean changed = wasHealthy != healthy || wasFresh;
        st.setProbeHealthy(healthy, problem);
        if (wasHealthy != healthy) {
            transitions.record("health", upstream, m.address(), wasHealthy ? "healthy" : "unhealthy",
                    healthy ? "healthy" : "unhealthy", healthy ? "active check passed" : problem);
        }
        if (healthy) {
            changed |= endEjectionOnPass(upstream, m, st);
        }
        if (!changed) {
            return;
        }
        if (healthy) {
            st.setRoutableSinceNanos(nanoTime.getAsLong());
            log.info("upstream {} server {} UP", upstream, m.address());
        } else {
            log.warn("upstream {} server {} DOWN: {}", upstream, m.address(), problem);
        }
        publish.run();
        if (wasFresh) {
            probeTargetsChanged.run();
        }
    }

    /** An active check passed on a server that was already healthy: it may end an ejection. */
    void probePassed(String upstream, String address) {
        Member m = membership.find(upstream, address);
        if (m != null && endEjectionOnPass(upstream, m, membership.state(upstream, m))) {
            publish.run();
        }
    }

    private boolean endEjectionOnPass(String upstream, Member m, ServerState st) {
        if (!ejections.probePassed(st)) {
            return false;
        }
        log.info("upstream {} server {} back from ejection: it passed an active check", upstream, m.address());
        transitions.record("ejection", upstream, m.address(), "ejected", labelOf(upstream, m.address()),
                "passed an active check (unreachability alone had ejected it)");
        return true;
    }

    /** The listener that counts each attempt's outcome; a run of failures reaching the threshold ejects. */
    ExchangeEvents passiveEvents() {
        return new PassiveHealthEvents();
    }

    /** Runs on the event loops. */
    private final class PassiveHealthEvents implements ExchangeEvents {
        @Override
        public void attemptSucceeded(Pool pool, Server server) {
            EjectionPolicy.succeeded(server.state());
        }

        @Override
        public void attemptFailed(Pool pool, Server server, AttemptFailure failure) {
            if (EjectionPolicy.failed(server.state(), failure, pool.ejectAfterFailures())) {
                int failures = pool.ejectAfterFailures();
                thread.execute(() -> eject(pool.name(), server, failures));
            }
        }

        @Override
        public void answered(Pool pool, Server server, int status, long responseNanos) {}

        @Override
        public void retried(Pool pool, RetryReason reason) {}

        @Override
        public void exchangeEnded(ExchangeRecord record) {}
    }

    private void eject(String upstream, Server server, int failures) {
        UpstreamConfig u = file.get().upstreams().get(upstream);
        Member m = membership.find(upstream, server.address());
        if (u == null || m == null) {
            return;
        }
        List<ServerState> pool = new ArrayList<>();
        for (Member each : membership.of(upstream)) {
            pool.add(membership.state(upstream, each));
        }
        ServerState st = server.state();
        String from = StatusReport.stateLabel(st, nanoTime.getAsLong());
        Duration length = ejections.consider(upstream, m.address(), st, u.passive(), pool, failures);
        if (length == null) {
            return;
        }
        transitions.record("ejection", upstream, m.address(), from, labelOf(upstream, m.address()),
                failures + " failures in a row" + (st.ejectedForAnswers() ? ", 5xx among them" : "") + "; out for "
                        + length.toMillis() + " ms");
        publish.run();
        thread.schedule(() -> {
            if (ejections.expire(st)) {
                log.info("upstream {} server {} back from ejection", upstream, m.address());
                transitions.record("ejection", upstream, m.address(), "ejected", labelOf(upstream, m.address()),
                        "ejection time over");
                publish.run();
            }
        }, length.toNanos(), TimeUnit.NANOSECONDS);
    }
}
