package dev.bascule.health;

import dev.bascule.config.HealthCheckConfig;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks: probes every {@link HealthControl#probeTargets() probe target} (over HTTP, gRPC or a bare
 * TCP connect, by the check's type) and tells the control plane when a server's verdict changes, and of every
 * pass (a pass ends a passive ejection that connect failures caused).
 *
 * <p>Each target is probed at once when it appears (startup, a server added, a reload) and then {@code
 * check.interval()} after each probe ends (so the timed probes of one server never overlap). A probe is described in
 * {@link HttpProbe}: {@code GET check.path()}, {@code Connection: close}, {@code User-Agent: bascule-health},
 * passing on a complete response with an expected status within {@code check.timeout()}; a {@code grpc} check
 * in {@link GrpcProbe}: {@code grpc.health.v1.Health/Check} over HTTP/2, passing on {@code SERVING}. A server
 * that is up goes down after {@code unhealthyThreshold} failures in a row and comes back after {@code healthyThreshold}
 * passes in a row; servers start up, except fresh ones (added at runtime), which come up on their first pass.
 * Verdict changes are reported through {@link HealthControl#reportProbe}, other passes through {@link
 * HealthControl#probePassed}. When the targets change, the checker drops
 * the state and timer of every target that left and keeps the counters of those that stay (keyed by upstream
 * and address); new settings (path, timeout, thresholds) apply from the next probe, and a new interval
 * replaces the wait in progress.
 *
 * <p>Threading: all state is confined to one event loop of the group given (probe connections live there too);
 * public methods may be called from any thread and never block. Futures complete on that event loop.
 */
public final class ActiveHealthChecker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ActiveHealthChecker.class);

    private final HealthControl control;
    private final EventLoop loop;
    private final Class<? extends SocketChannel> channelType;
    /** Written by any thread calling close, read by the loop and by the control thread's listener. */
    private volatile boolean closed;
    /** A refresh is queued on the loop; set by the control thread, cleared by the loop. */
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    /** Started once, by whichever thread calls start. */
    private final AtomicBoolean started = new AtomicBoolean();

    // ---- loop only ----
    private final Map<Key, Watched> watched = new HashMap<>();
    private final Set<Channel> open = new HashSet<>();

    private record Key(String upstream, String address) {
        static Key of(ProbeTarget t) {
            return new Key(t.upstream(), t.address());
        }
    }

    /** A target being checked: its latest settings, its verdict, and its timer. */
    private static final class Watched {
        final Key key;
        ProbeTarget target;
        TargetHealth health;
        /** Probing on a timer (false for a target only driven by {@link #checkNow}). */
        boolean timed;
        ScheduledFuture<?> timer;
        /** Bumped when the target restarts (re-added fresh); probes of an older epoch are ignored. */
        int epoch;

        Watched(ProbeTarget target) {
            this.key = Key.of(target);
            this.target = target;
            this.health = new TargetHealth(target.fresh());
        }

        void stopTimer() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }
    }

    /**
     * @param group the checker runs on one of its event loops; usually the data plane's group
     * @param channelType the socket channel class of that group's transport ({@code Transport.channelType()})
     */
    public ActiveHealthChecker(HealthControl control, EventLoopGroup group, Class<? extends SocketChannel> channelType) {
        this.control = control;
        this.loop = group.next();
        this.channelType = channelType;
    }

    /** Starts following the control plane's probe targets: probes every current target at once. */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        control.onProbeTargetsChanged(this::targetsChanged);
        targetsChanged();
    }

    /** Called on the control thread: must not block, so only queues a refresh on the loop. */
    private void targetsChanged() {
        if (closed || !refreshQueued.compareAndSet(false, true)) {
            return;
        }
        try {
            loop.execute(this::refresh);
        } catch (RejectedExecutionException e) {
            refreshQueued.set(false); // the loop is shutting down; nothing left to check
        }
    }

    /** Aligns the watched targets with the control plane's current list. */
    private void refresh() {
        refreshQueued.set(false);
        if (closed) {
            return;
        }
        Map<Key, ProbeTarget> next = new LinkedHashMap<>();
        for (ProbeTarget t : control.probeTargets()) {
            next.put(Key.of(t), t);
        }
        for (Iterator<Watched> it = watched.values().iterator(); it.hasNext(); ) {
            Watched w = it.next();
            if (!next.containsKey(w.key)) {
                w.stopTimer();
                w.epoch++;
                it.remove();
            }
        }
        for (ProbeTarget t : next.values()) {
            Watched w = watched.get(Key.of(t));
            if (w == null) {
                w = new Watched(t);
                watched.put(w.key, w);
            } else {
                // Fresh again though it was not: removed and added back between two refreshes. Start over.
                boolean readded = t.fresh() && !w.target.fresh();
                boolean newInterval = !t.check().interval().equals(w.target.check().interval());
                w.target = t;
                if (readded) {
                    w.health = new TargetHealth(true);
                    w.stopTimer();
                    w.epoch++;
                    w.timed = false;
                } else if (newInterval && w.timer != null) {
                    // Waiting with the old interval: wait the new one instead, so going from 1h to 5s does not
                    // leave an hour's wait. (A probe in flight picks the new interval up when it ends.)
                    w.stopTimer();
                    schedule(w, intervalMillis(t));
                }
            }
            if (!w.timed) {
                w.timed = true;
                schedule(w, 0);
            }
        }
    }

    private void schedule(Watched w, long delayMillis) {
        int epoch = w.epoch;
        w.timer = loop.schedule(() -> timedRound(w, epoch), delayMillis, TimeUnit.MILLISECONDS);
    }

    private void timedRound(Watched w, int epoch) {
        if (!current(w, epoch)) {
            return;
        }
        w.timer = null;
        round(w, w.target).whenComplete((r, e) -> {
            if (current(w, epoch)) {
                schedule(w, intervalMillis(w.target));
            }
        });
    }

    private static long intervalMillis(ProbeTarget t) {
        return Math.max(1, t.check().interval().toMillis());
    }

    private boolean current(Watched w, int epoch) {
        return !closed && watched.get(w.key) == w && w.epoch == epoch;
    }

    /** Probes with {@code target}'s settings and applies the result to {@code w}'s verdict; on the loop. */
    private CompletableFuture<ProbeResult> round(Watched w, ProbeTarget target) {
        int epoch = w.epoch;
        return probe(target).thenApply(r -> {
            if (current(w, epoch)) {
                apply(w, target, r);
            }
            return r;
        });
    }

    private void apply(Watched w, ProbeTarget target, ProbeResult r) {
        if (!r.passed()) {
            log.debug("upstream {} server {} probe failed: {}", target.upstream(), target.address(), r.problem());
        }
        switch (w.health.record(r, target.check())) {
            case UP -> control.reportProbe(target.upstream(), target.address(), true, null);
            case DOWN -> control.reportProbe(target.upstream(), target.address(), false, r.problem());
            case NONE -> {
                if (r.passed() && w.health.up()) {
                    control.probePassed(target.upstream(), target.address());
                }
            }
        }
    }

    /** Starts one probe on the loop and tracks its connection so close() can cut it. */
    private CompletableFuture<ProbeResult> probe(ProbeTarget target) {
        Channel ch;
        CompletableFuture<ProbeResult> result;
        if (target.check().type() == HealthCheckConfig.Type.GRPC) {
            GrpcProbe p = GrpcProbe.start(loop, channelType, target);
            ch = p.channel();
            result = p.result();
        } else {
            HttpProbe p = HttpProbe.start(loop, channelType, target);
            ch = p.channel();
            result = p.result();
        }
        if (ch.isOpen() && open.add(ch)) {
            ch.closeFuture().addListener(f -> open.remove(ch));
        }
        return result;
    }

    /**
     * Probes {@code target} once, without counting the result anywhere.
     *
     * @return the outcome; never completes exceptionally unless the checker is closed
     */
    public CompletableFuture<ProbeResult> probeOnce(ProbeTarget target) {
        return onLoop(() -> probe(target));
    }

    /**
     * One round of "probe, then apply the thresholds" for {@code target}, as a timer would run it but now, with
     * {@code target}'s settings; its verdict is the one the timers keep (it is created, without a timer, when
     * the target is not watched yet). Any report to the control plane is handed over before the future
     * completes, so a control-plane call made after it sees the report.
     */
    public CompletableFuture<ProbeResult> checkNow(ProbeTarget target) {
        return onLoop(() -> {
            Watched w = watched.computeIfAbsent(Key.of(target), k -> new Watched(target));
            return round(w, target);
        });
    }

    /** What the checker holds on one target at a moment; for tests and diagnostics. */
    record Watch(boolean up, int passesInARow, int failuresInARow, boolean timed) {}

    /** Every watched target by {@code upstream/address}. */
    CompletableFuture<Map<String, Watch>> watching() {
        return onLoop(() -> {
            Map<String, Watch> view = new LinkedHashMap<>();
            watched.forEach((k, w) -> view.put(k.upstream() + "/" + k.address(), new Watch(w.health.up(),
                    w.health.passesInARow(), w.health.failuresInARow(), w.timed)));
            return CompletableFuture.completedFuture(view);
        });
    }

    /**
     * Stops every timer and closes every probe connection; probes in flight end as failures and are not counted.
     * Returns at once. The listener registered with the control plane stays but does nothing any more.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Runnable stop = () -> {
            watched.values().forEach(Watched::stopTimer);
            watched.clear();
            List.copyOf(open).forEach(Channel::close);
        };
        if (loop.inEventLoop()) {
            stop.run();
            return;
        }
        try {
            loop.execute(stop);
        } catch (RejectedExecutionException e) {
            // the loop is shutting down and closes its channels itself
        }
    }

    private interface LoopWork<T> {
        CompletableFuture<T> run();
    }

    private <T> CompletableFuture<T> onLoop(LoopWork<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable task = () -> {
            if (closed) {
                result.completeExceptionally(new IllegalStateException("health checker closed"));
                return;
            }
            try {
                work.run().whenComplete((v, e) -> {
                    if (e != null) {
                        result.completeExceptionally(e);
                    } else {
                        result.complete(v);
                    }
                });
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        };
        if (loop.inEventLoop()) {
            task.run();
        } else {
            try {
                loop.execute(task);
            } catch (RejectedExecutionException e) {
                result.completeExceptionally(e);
            }
        }
        return result;
    }
}
