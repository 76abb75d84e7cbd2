package dev.bascule.control;

import dev.bascule.balance.Balancers;
import dev.bascule.config.AdminToken;
import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ConfigException;
import dev.bascule.config.SplitConfig;
import dev.bascule.config.UpstreamConfig;
import dev.bascule.health.EjectionPolicy;
import dev.bascule.health.HealthControl;
import dev.bascule.health.ProbeTarget;
import dev.bascule.release.RolloutPlan;
import dev.bascule.state.FileStateStore;
import dev.bascule.state.ServerChange;
import dev.bascule.tls.TlsMaterial;
import dev.bascule.upstream.AttemptFailure;
import dev.bascule.upstream.Server;
import dev.bascule.stats.ExchangeRecord;
import dev.bascule.stats.RecordSink;
import dev.bascule.stats.RetryReason;
import dev.bascule.stats.StatsRegistry;
import dev.bascule.upstream.ServerRegistry;
import dev.bascule.upstream.ServerState;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane: one thread that owns the config in force and the membership of every pool, runs each
 * change through the part that does that job, and publishes a new {@link Snapshot} after every change. The
 * parts: {@link Membership} (the operator's commands, validated there), {@link EjectionPolicy} (passive health),
 * {@link DnsRefresh}, {@link StatusReport}, {@link ProbeTargets} (what active checks probe), {@link
 * ListenerReconciler} (the data plane's listening sockets), {@link AccessLogs} (the access log in force), {@link
 * RuntimeChanges} (the admin API's changes that outlive reloads and restarts), {@link StateKeeper} (which keeps
 * them in the state file, off this thread) and {@link Rollouts} (progressive rollouts, judged every second).
 *
 * <p>Threading: all state is confined to the control thread; public methods hand their work to it and return a
 * future (or nothing), so they may be called from anywhere, event loops included, without blocking. Only
 * {@link #live()}, {@link #probeTargets()}, {@link #listenerAddresses()}, {@link #reloads()}, {@link #tls()} and
 * {@link #adminToken()} are read directly.
 */
public final class ControlPlane implements HealthControl, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);
    /** How often a removal checks whether the drained server's last request finished. */
    private static final long DRAIN_POLL_MILLIS = 50;
    /** How often rate limiters forget clients whose buckets are full again. */
    private static final long RATE_LIMIT_SWEEP_SECONDS = 10;
    /** How long closing waits for a task the control thread is running (a reload resolving names). */
    private static final long CLOSE_WAIT_SECONDS = 5;

    private final ScheduledExecutorService thread;
    private final SnapshotBuilder builder;
    private final Resolver resolver;
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final LiveSnapshot live;
    private final ProbeTargets probeTargets = new ProbeTargets(this::tls);
    private final EjectionPolicy ejections;
    /** The counters every snapshot's series are resolved from; control thread only (its recorders: anyone). */
    private final StatsRegistry stats;
    /** Passive health, counters and the sinks of the config in force; control thread only. */
    private ExchangeEvents events;
    /** The span exporter of the config in force; one of the sinks. */
    private final TraceExport tracing;
    /** The access log of the config in force, one of those sinks. */
    private final AccessLogs accessLogs;
    private final ReloadCounter reloads = new ReloadCounter();
    /** The last server state changes, for the dashboard; control thread only. */
    private final Transitions transitions;
    /** The config in force; written on the control thread, read anywhere (immutable). */
    private volatile LoadedConfig loaded;
    /** Null until {@link #listenOn}; written once on the control thread. */
    private volatile ListenerReconciler listeners;

    // ---- control thread only ----
    private final Membership membership;
    /** Split weights and server changes made through the admin API, each with the file's value it overrode. */
    private final RuntimeChanges changes;
    /** Writes {@link #changes} to the state file on its own thread. */
    private final StateKeeper keeper;
    /** Runs the rollouts, which it keeps in {@link #changes}. */
    private final Rollouts rollouts;
    private final DnsRefresh dns;
    private ScheduledFuture<?> slowStartTick;

    private ControlPlane(ScheduledExecutorService thread, Balancers balancers, Resolver resolver, Clock clock,
            LongSupplier nanoTime, LoadedConfig loaded, Map<String, List<Member>> members, StatsRegistry stats)
            throws ConfigException {
        ServerRegistry registry = new ServerRegistry();
        this.thread = thread;
        this.stats = stats;
        this.accessLogs = new AccessLogs(stats.accessLogDropped(), ZoneId.systemDefault());
        accessLogs.start(loaded.config()); // first: a file that cannot be opened leaves nothing to undo
        this.tracing = new TraceExport(clock, nanoTime);
        tracing.follow(loaded.config().tracing(), thread);
        this.events = recordingEvents();
        this.builder = new SnapshotBuilder(registry, stats, balancers, nanoTime);
        this.resolver = resolver;
        this.clock = clock;
        this.transitions = new Transitions(clock);
        this.nanoTime = nanoTime;
        this.ejections = new EjectionPolicy(nanoTime);
        this.loaded = loaded;
        this.keeper = new StateKeeper(loaded.config().stateFile() == null ? null
                : new FileStateStore(loaded.config().stateFile(), clock));
        this.changes = new RuntimeChanges(clock, resolver);
        RuntimeChanges.Reconciled restored = RuntimeChanges.reconcile(keeper.load(), loaded.config(), members);
        changes.adopt(restored, members);
        restored.messages().forEach(m -> log.warn("state file: {}", m));
        this.rollouts = new Rollouts(clock, changes, this::applySplit, () -> keeper.save(changes.state()),
                stats.rollouts());
        if (rollouts.followFile(loaded.config(), "state file")) {
            keeper.save(changes.state());
        }
        this.membership = new Membership(registry, resolver, nanoTime, changes.apply(members, log::warn));
        applyDrains();
        this.dns = new DnsRefresh(thread, resolver, membership, this::membershipChanged);
        this.live = new LiveSnapshot(builder.build(inForce(), membership.pools(), null, nanoTime.getAsLong(), events));
        probeTargets.refresh(loaded.config(), membership);
    }

    /**
     * Resolves the config's servers and listeners, reads its certificates and builds the first snapshot.
     *
     * @param clock wall-clock time, for the times reported ({@code loaded_at})
     * @param nanoTime the clock of everything the control plane times (ejections, slow start, DNS); the data
     *     plane's event loops must tick with the same one, as both stamp and compare server states
     * @throws ConfigException when a host name does not resolve, or a TLS file, the admin token file or the access
     *     log file cannot be used
     */
    public static ControlPlane start(BasculeConfig config, Balancers balancers, Resolver resolver, Clock clock,
            LongSupplier nanoTime, ScheduledExecutorService thread) throws ConfigException {
        Map<String, List<Member>> members = MemberResolution.resolveMembers(config, resolver);
        TlsMaterial tls = TlsMaterial.build(config);
        StatsRegistry stats = new StatsRegistry();
        LoadedConfig loaded = new LoadedConfig(config, 1, clock.instant(), tls,
                ListenerReconciler.settingsOf(config, tls, stats), AdminToken.read(config));
        ControlPlane cp = new ControlPlane(thread, balancers, resolver, clock, nanoTime, loaded, members, stats);
        cp.thread.execute(() -> cp.dns.follow(config));
        cp.thread.scheduleWithFixedDelay(() -> cp.builder.expireIdleRateLimitKeys(cp.nanoTime.getAsLong()),
                RATE_LIMIT_SWEEP_SECONDS, RATE_LIMIT_SWEEP_SECONDS, TimeUnit.SECONDS);
        cp.thread.scheduleWithFixedDelay(cp::tickRollouts, Rollouts.TICK_MILLIS, Rollouts.TICK_MILLIS,
                TimeUnit.MILLISECONDS);
        return cp;
    }

    /** The long-lived counters (requests by route, local answers ...), for metrics; read from any thread. */
    public StatsRegistry stats() {
        return stats;
    }

    public LiveSnapshot live() {
        return live;
    }

    /**
     * The control plane's clock now, which ejections, latency samples and rate limits are stamped with; read
     * directly, from any thread.
     */
    public long nanoTime() {
        return nanoTime.getAsLong();
    }

    /** The TLS contexts (listener SNI mappings, upstream clients) built from the config in force. */
    public TlsMaterial tls() {
        return loaded.tls();
    }

    /**
     * The admin API's bearer token in the config in force, null when it sets none; read directly (the admin API
     * checks each request against the token of the moment, so a reload that changes it takes effect at once).
     */
    public AdminToken adminToken() {
        return loaded.adminToken();
    }

    /** The config in force; safe from any thread (records are immutable). */
    public CompletableFuture<BasculeConfig> config() {
        return onControl(() -> loaded.config());
    }

    // ---- listeners ----

    /**
     * Opens the listeners of the config in force on {@code sockets}; every reload from now on keeps them in step
     * with its config. Call once, when the data plane is ready to accept connections.
     *
     * @return a future failed with {@link ConfigException} when a listener cannot be bound (nothing stays open)
     */
    public CompletableFuture<Void> listenOn(ListenerSockets sockets) {
        return onControl(() -> {
            if (listeners != null) {
                throw new IllegalStateException("listening already");
            }
            ListenerReconciler reconciler = new ListenerReconciler(sockets);
            LoadedConfig current = loaded;
            reconciler.open(current.config(), current.listeners());
            reconciler.closeDropped(current.listeners());
            listeners = reconciler;
            return null;
        });
    }

    /** The listening addresses actually bound, in listener order (a configured port 0 becomes a real one). */
    public List<InetSocketAddress> listenerAddresses() {
        ListenerReconciler l = listeners;
        return l == null ? List.of() : l.boundAddresses();
    }

    // ---- reload ----

    /**
     * Swaps in a new config: resolves its servers and listeners, reads its certificates, opens the listening
     * sockets it adds, keeps the state of every server it still has, drops servers it no longer lists, publishes,
     * then closes the listeners it dropped. The changes made through the admin API stay, but for those the file
     * changed the same thing of since (then the file wins, and the log says so). On failure nothing changes.
     *
     * @return the new config version, or a future failed with {@link ConfigException}
     */
    public CompletableFuture<Long> reload(BasculeConfig next) {
        return reloads.count(onControl(() -> {
            Map<String, List<Member>> nextMembers = MemberResolution.resolveMembers(next, resolver);
            TlsMaterial nextTls = TlsMaterial.build(next); // re-reads every certificate file
            LoadedConfig nextLoaded = new LoadedConfig(next, loaded.version() + 1, clock.instant(), nextTls,
                    ListenerReconciler.settingsOf(next, nextTls, stats), AdminToken.read(next)); // re-reads the token file
            boolean logChanged = accessLogs.prepare(next); // opens the new access log file, if it changed
            ListenerReconciler reconciler = listeners;
            if (reconciler != null) {
                try {
                    reconciler.open(next, nextLoaded.listeners()); // the last reason a reload can be refused
                } catch (ConfigException | RuntimeException e) {
                    accessLogs.abandon();
                    throw e;
                }
            }
            loaded = nextLoaded;
            RuntimeChanges.Reconciled kept = RuntimeChanges.reconcile(changes.state(), next, nextMembers);
            changes.adopt(kept, nextMembers);
            kept.messages().forEach(m -> log.warn("reload: {}", m));
            membership.replaceAll(changes.apply(nextMembers, log::warn));
            applyDrains();
            boolean rolloutsEnded = rollouts.followFile(next, "reload");
            if (kept.changed() || rolloutsEnded) {
                keeper.save(changes.state());
            }
            if (tracing.follow(next.tracing(), thread) | logChanged) {
                events = recordingEvents();
            }
            publish();
            accessLogs.commit(); // the old log's late requests go to the new one; it writes out the rest and closes
            if (reconciler != null) {
                reconciler.closeDropped(nextLoaded.listeners());
            }
            dns.follow(next);
            probeTargets.refresh(next, membership);
            log.info("config {} loaded (version {})", next.source(), nextLoaded.version());
            return nextLoaded.version();
        }));
    }

    /** Reads the config again from {@code source} and reloads it. */
    public CompletableFuture<Long> reload(ConfigSource source) {
        BasculeConfig next;
        try {
            next = source.load();
        } catch (ConfigException e) {
            return reloads.count(CompletableFuture.failedFuture(e));
        }
        return reload(next);
    }

    /** Opens the access log file again by its name (SIGUSR1, after logrotate renamed it); nothing for a stream. */
    public CompletableFuture<Void> reopenAccessLog() {
        return onControl(() -> {
            accessLogs.reopen();
            return null;
        });
    }

    /** Reloads so far by outcome; read by metrics from any thread. */
    public ReloadCounter reloads() {
        return reloads;
    }

    // ---- admin commands ----

    /** Adds a server to a pool (source {@code api}); it takes traffic at once, or after a first passing probe. */
    public CompletableFuture<Void> addServer(String upstream, String address, int weight) {
        return onControl(() -> {
            UpstreamConfig u = loaded.config().upstreams().get(upstream);
            membership.add(upstream, address, weight, u != null && u.healthCheck() != null);
            changes.serverAdded(upstream, Membership.normalize(address), weight);
            keeper.save(changes.state());
            log.info("upstream {} server {} added (weight {})", upstream, address, weight);
            transitions.record("membership", upstream, Membership.normalize(address), "absent",
                    labelOf(upstream, address), "added through the admin API, weight " + weight);
            membershipChanged();
            return null;
        });
    }

    /** Drains a server, then removes it once its last request finished. Completes as soon as draining starts. */
    public CompletableFuture<Void> removeServer(String upstream, String address) {
        return onControl(() -> {
            String from = labelOf(upstream, address);
            Member m = membership.startRemoval(upstream, address);
            ServerState state = membership.state(upstream, m);
            changes.drainSet(upstream, m.address(), true); // a restart before it leaves finds it drained
            keeper.save(changes.state());
            transitions.record("membership", upstream, m.address(), from, "draining",
                    "removal through the admin API: it leaves once its last request finishes");
            publish();
            log.info("upstream {} server {} draining for removal", upstream, m.address());
            thread.schedule(() -> finishRemoval(upstream, m, state, 0), DRAIN_POLL_MILLIS, TimeUnit.MILLISECONDS);
            return null;
        });
    }

    private void finishRemoval(String upstream, Member m, ServerState state, int idlePolls) {
        if (membership.find(upstream, m.address()) != m || !state.draining()) {
            return; // a reload replaced the pool, or an undrain called the removal off
        }
        // Two quiet polls in a row: a request that read the previous snapshot just before the drain has had
        // time to register itself.
        // Tunnels (upgraded WebSockets) are not waited for: they run on until they close or shutdown comes.
        int polls = state.inFlight() - state.tunnels() <= 0 ? idlePolls + 1 : 0;
        if (polls < 2) {
            thread.schedule(() -> finishRemoval(upstream, m, state, polls), DRAIN_POLL_MILLIS, TimeUnit.MILLISECONDS);
            return;
        }
        if (membership.finishRemoval(upstream, m, state)) {
            changes.serverRemoved(upstream, m.address());
            keeper.save(changes.state());
            membershipChanged();
            log.info("upstream {} server {} removed", upstream, m.address());
            transitions.record("membership", upstream, m.address(), "draining", "removed",
                    "its last request finished");
        }
    }

    /** Stops sending new requests to a server; requests in flight finish. */
    public CompletableFuture<Void> drain(String upstream, String address, boolean draining) {
        return onControl(() -> {
            String from = labelOf(upstream, address);
            Member m = membership.drain(upstream, address, draining);
            if (m != null) {
                changes.drainSet(upstream, m.address(), draining);
                keeper.save(changes.state());
                log.info("upstream {} server {} {}", upstream, m.address(), draining ? "draining" : "undrained");
                transitions.record("drain", upstream, m.address(), from, labelOf(upstream, address),
                        (draining ? "drained" : "undrained") + " through the admin API");
                publish();
            }
            return null;
        });
    }

    public CompletableFuture<Void> setWeight(String upstream, String address, int weight) {
        return onControl(() -> {
            Member m = membership.setWeight(upstream, address, weight);
            changes.weightSet(upstream, m.address(), weight);
            keeper.save(changes.state());
            log.info("upstream {} server {} weight {}", upstream, m.address(), weight);
            publish();
            return null;
        });
    }

    // ---- routes and splits ----

    /** Every route of the config in force, with the split weights in force. */
    public CompletableFuture<List<RouteStatus>> routes() {
        return onControl(() -> RouteReport.of(loaded.config(), changes, live.get()));
    }

    /**
     * Sets the weights of a named split route at once: a new snapshot is published, and the weights are kept in the
     * state file. An upstream of the split not named gets 0.
     *
     * @param weights by upstream; they must add up to 100
     * @return the route as it is now; a future failed with {@link CommandException}: 404 no route of that name,
     *     409 a route without a name or without a split holding every upstream named, or with a rollout running or
     *     paused, 400 weights that are not
     *     integers from 0 to 100 adding up to 100, or an upstream that does not exist
     */
    public CompletableFuture<RouteStatus> setSplit(String route, Map<String, Integer> weights) {
        return onControl(() -> {
            BasculeConfig file = loaded.config();
            Map<String, Integer> fileWeights = splitRoute(file, route);
            Map<String, Integer> next = SplitCommand.weights(route, weights, fileWeights, file.upstreams().keySet());
            rollouts.refuseSplitWhileLive(route);
            applySplit(route, next, fileWeights, "the admin API");
            return routeStatus(route);
        });
    }

    /**
     * Puts checked weights in force: recorded with the file's weights they override, kept in the state file, and
     * published at once. Control thread only. This is where a rollout (issue 11's {@code POST
     * /routes/{name}/rollout}) moves a split at each step, and rolls it back: a part of its own on this thread,
     * reading each side's series ({@link RouteSplit.Side#action()}'s {@code series()}) between steps.
     *
     * @param by who set them, for the log line
     */
    private void applySplit(String route, Map<String, Integer> next, Map<String, Integer> fileWeights, String by) {
        changes.splitSet(route, next, fileWeights);
        keeper.save(changes.state());
        log.info("route {} split set through {}: {} (file: {})", route, by, SplitConfig.describe(next),
                SplitConfig.describe(fileWeights));
        publish();
    }

    /**
     * Starts a rollout on a named split route: {@code to} gets the first step's share at once, and the split moves
     * on step by step while the guard holds ({@link Rollouts}).
     *
     * @return the route as it is now, with its rollout; a future failed with {@link CommandException}: 404 no
     *     route of that name, 409 a route without a name or a split with {@code to}, or one with a rollout running
     *     or paused already
     */
    public CompletableFuture<RouteStatus> startRollout(String route, RolloutPlan plan) {
        return onControl(() -> {
            rollouts.start(route, plan, splitRoute(loaded.config(), route), live.get());
            return routeStatus(route);
        });
    }

    /**
     * Pauses, resumes, aborts or promotes the live rollout of a route.
     *
     * @return the route as it is now; a future failed with {@link CommandException} 404 (no such route) or 409
     *     (no rollout running or paused on it)
     */
    public CompletableFuture<RouteStatus> rollout(String route, RolloutCommand command) {
        return onControl(() -> {
            rollouts.command(route, command, splitRoute(loaded.config(), route), live.get());
            return routeStatus(route);
        });
    }

    /** Judges the live rollouts; on the control thread, every {@link Rollouts#TICK_MILLIS}. */
    private void tickRollouts() {
        try {
            rollouts.tick(loaded.config(), live.get());
        } catch (RuntimeException e) {
            log.warn("rollouts not judged this time: {}", e.toString(), e); // the next tick tries again
        }
    }

    /** One route by name (or, for a route without one, by label); a future failed with a 404 when none. */
    public CompletableFuture<RouteStatus> route(String nameOrLabel) {
        return onControl(() -> routeStatus(nameOrLabel));
    }

    private RouteStatus routeStatus(String nameOrLabel) {
        List<RouteStatus> all = RouteReport.of(loaded.config(), changes, live.get());
        for (RouteStatus r : all) {
            if (nameOrLabel.equals(r.name())) {
                return r;
            }
        }
        for (RouteStatus r : all) {
            if (r.name() == null && nameOrLabel.equals(r.label())) {
                return r;
            }
        }
        throw new CommandException(404, "no route named '" + nameOrLabel + "'");
    }

    /** The file's weights of a named split route, or the refusal that says what it is instead. */
    private Map<String, Integer> splitRoute(BasculeConfig file, String route) {
        Map<String, Integer> weights = RuntimeChanges.fileSplit(file, route);
        if (weights != null) {
            return weights;
        }
        RouteStatus r = routeStatus(route); // 404 when there is no such route at all
        if (r.name() == null) {
            throw new CommandException(409, "route '" + route + "' has no name: give it a 'name' in the config to"
                    + " change it through the admin API");
        }
        throw new CommandException(409, "route '" + route + "' has no split: it sends to "
                + (r.upstream() != null ? "upstream '" + r.upstream() + "'" : "a redirect"));
    }

    /** The running config and every server's state. */
    public CompletableFuture<Status> status() {
        return onControl(() -> StatusReport.of(loaded, live.get(), membership, nanoTime.getAsLong()));
    }

    /** The last server state changes, oldest first: at most {@value Transitions#CAPACITY}. */
    public CompletableFuture<List<Transition>> transitions() {
        return onControl(transitions::list);
    }

    /** A server's state as {@code /status} names it, or {@code absent}; control thread only. */
    private String labelOf(String upstream, String address) {
        Member m = membership.find(upstream, Membership.normalize(address));
        return m == null ? "absent" : StatusReport.stateLabel(membership.state(upstream, m), nanoTime.getAsLong());
    }

    // ---- health ----

    @Override
    public List<ProbeTarget> probeTargets() {
        return probeTargets.current();
    }

    @Override
    public void onProbeTargetsChanged(Runnable listener) {
        probeTargets.onChange(listener);
    }

    @Override
    public void reportProbe(String upstream, String address, boolean healthy, String problem) {
        thread.execute(() -> {
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
            publish();
            if (wasFresh) {
                probeTargets.refresh(loaded.config(), membership);
            }
        });
    }

    @Override
    public void probePassed(String upstream, String address) {
        thread.execute(() -> {
            Member m = membership.find(upstream, address);
            if (m != null && endEjectionOnPass(upstream, m, membership.state(upstream, m))) {
                publish();
            }
        });
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

    /** Counts each attempt's outcome on the event loops; a run of failures reaching the threshold ejects. */
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
        UpstreamConfig u = loaded.config().upstreams().get(upstream);
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
        publish();
        thread.schedule(() -> {
            if (ejections.expire(st)) {
                log.info("upstream {} server {} back from ejection", upstream, m.address());
                transitions.record("ejection", upstream, m.address(), "ejected", labelOf(upstream, m.address()),
                        "ejection time over");
                publish();
            }
        }, length.toNanos(), TimeUnit.NANOSECONDS);
    }

    // ---- building ----

    /** Passive health, the counters, and the sinks of the config in force: the access log, then tracing. */
    private ExchangeEvents recordingEvents() {
        List<RecordSink> sinks = new ArrayList<>(accessLogs.sinks());
        sinks.addAll(tracing.sinks());
        return new RecordingEvents(new PassiveHealthEvents(), stats, sinks);
    }

    /** Pool members changed: publish, and let active checks follow. */
    private void membershipChanged() {
        publish();
        probeTargets.refresh(loaded.config(), membership);
    }

    /** Builds and publishes a snapshot from the config in force, the membership and the server states. */
    private void publish() {
        long now = nanoTime.getAsLong();
        live.publish(builder.build(inForce(), membership.pools(), live.get(), now, events));
        scheduleSlowStartTick(now);
    }

    /** The file's config with the split weights set through the admin API, as snapshots are built from. */
    private LoadedConfig inForce() {
        BasculeConfig applied = changes.apply(loaded.config());
        return applied == loaded.config() ? loaded : new LoadedConfig(applied, loaded.version(), loaded.loadedAt(),
                loaded.tls(), loaded.listeners(), loaded.adminToken());
    }

    /** Drains the servers drained through the admin API (at start, and after a reload rebuilt the pools). */
    private void applyDrains() {
        for (ServerChange c : changes.drained()) {
            Member m = membership.find(c.upstream(), c.address());
            if (m != null) {
                membership.state(c.upstream(), m).setDraining(true);
            }
        }
    }

    /** While a server ramps up under slow start, rebuild regularly so its weight follows. */
    private void scheduleSlowStartTick(long now) {
        if (slowStartTick != null && !slowStartTick.isDone()) {
            return;
        }
        long nextTick = Long.MAX_VALUE;
        for (UpstreamConfig u : loaded.config().upstreams().values()) {
            long ramp = u.slowStart().toNanos();
            if (ramp <= 0) {
                continue;
            }
            for (Member m : membership.of(u.name())) {
                long since = membership.state(u.name(), m).routableSinceNanos();
                if (since != 0 && now - since < ramp) {
                    nextTick = Math.min(nextTick, Math.max(ramp / 10, 1_000_000));
                }
            }
        }
        if (nextTick != Long.MAX_VALUE) {
            slowStartTick = thread.schedule(this::publish, nextTick, TimeUnit.NANOSECONDS);
        }
    }

    private <T> CompletableFuture<T> onControl(Callable<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                try {
                    result.complete(work.call());
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
        } catch (RuntimeException rejected) {
            result.completeExceptionally(rejected);
        }
        return result;
    }

    /** Stops the control thread, then writes out the access log's last lines (for up to a few seconds). */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS); // a reload may be switching the log
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        accessLogs.close();
        tracing.close();
        keeper.close(); // after the control thread: its last change is pending, and written here
        builder.closeGlobalLimits();
    }
}
