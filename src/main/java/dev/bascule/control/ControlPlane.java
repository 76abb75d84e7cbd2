package dev.bascule.control;

import dev.bascule.balance.Balancers;
import dev.bascule.config.AdminToken;
import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ConfigException;
import dev.bascule.config.UpstreamConfig;
import dev.bascule.health.HealthControl;
import dev.bascule.health.ProbeTarget;
import dev.bascule.release.RolloutPlan;
import dev.bascule.state.FileStateStore;
import dev.bascule.state.ReleaseState;
import dev.bascule.state.ServerChange;
import dev.bascule.state.Versioned;
import dev.bascule.tls.TlsMaterial;
import dev.bascule.stats.RecordSink;
import dev.bascule.stats.StatsRegistry;
import dev.bascule.upstream.ServerRegistry;
import java.net.InetSocketAddress;
import java.time.Clock;
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
 * parts: {@link Membership} (the pools, validated there), {@link ServerCommands} (the operator's commands on servers,
 * and the servers a fleet's origins register), {@link HealthFeedback} (active checks and ejections), {@link
 * DnsRefresh}, {@link StatusReport}, {@link ProbeTargets} (what active checks probe), {@link ListenerReconciler}
 * (the data plane's listening sockets), {@link AccessLogs} (the access log in force), {@link RuntimeChanges} (the
 * admin API's changes that outlive reloads and restarts), {@link StateKeeper} (which keeps them in the state file,
 * off this thread), {@link StateSharing} (which keeps them in a fleet's etcd instead) and {@link ReleaseCommands}
 * (routes, splits and rollouts).
 *
 * <p>Threading: all state is confined to the control thread; public methods hand their work to it and return a
 * future (or nothing), so they may be called from anywhere, event loops included, without blocking. Only
 * {@link #live()}, {@link #probeTargets()}, {@link #listenerAddresses()}, {@link #reloads()}, {@link #tls()} and
 * {@link #adminToken()} are read directly.
 */
public final class ControlPlane implements HealthControl, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);
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
    /** Active check results and passive failures, turned into server states; control thread only. */
    private final HealthFeedback health;
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
    /** The servers registered in a fleet's etcd. */
    private final RegisteredServers registered;
    /** The operator's commands on servers, and the registrations of a fleet's etcd. */
    private final ServerCommands servers;
    /** Split weights and server changes made through the admin API, each with the file's value it overrode. */
    private final RuntimeChanges changes;
    /** Writes {@link #changes} to the state file on its own thread. */
    private final StateKeeper keeper;
    /** How many instances share global rate limits: 1 alone; a fleet's live members once it says so. */
    private volatile dev.bascule.limit.LiveNodes liveNodes = dev.bascule.limit.LiveNodes.SINGLE;
    /** Routes, splits and rollouts. */
    private final ReleaseCommands release;
    /** Shares the runtime changes with a fleet; inactive for a single instance. */
    private final StateSharing sharing;
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
        this.builder = new SnapshotBuilder(registry, stats, balancers, nanoTime, () -> liveNodes.count());
        this.resolver = resolver;
        this.clock = clock;
        this.transitions = new Transitions(clock);
        this.nanoTime = nanoTime;
        this.loaded = loaded;
        this.keeper = new StateKeeper(loaded.config().stateFile() == null ? null
                : new FileStateStore(loaded.config().stateFile(), clock));
        this.changes = new RuntimeChanges(clock, resolver);
        this.sharing = new StateSharing(thread, changes, this::putStateInForce);
        RuntimeChanges.Reconciled restored = RuntimeChanges.reconcile(keeper.load(), loaded.config(), members);
        changes.adopt(restored, members);
        restored.messages().forEach(m -> log.warn("state file: {}", m));
        this.membership = new Membership(registry, resolver, nanoTime, changes.apply(members, log::warn));
        this.registered = new RegisteredServers(membership);
        this.servers = new ServerCommands(thread, membership, registered, changes, keeper, sharing, transitions,
                () -> this.loaded.config(), this::labelOf, this::publish, this::membershipChanged, nanoTime);
        this.health = new HealthFeedback(thread, membership, transitions, nanoTime, () -> this.loaded.config(),
                this::publish, () -> probeTargets.refresh(this.loaded.config(), membership));
        this.events = recordingEvents();
        applyDrains();
        this.dns = new DnsRefresh(thread, resolver, membership, this::membershipChanged);
        this.live = new LiveSnapshot(builder.build(inForce(), membership.pools(), null, nanoTime.getAsLong(), events));
        this.release = new ReleaseCommands(() -> this.loaded.config(), changes, keeper, live, this::publish, clock,
                stats.rollouts(), this::rolloutTotals);
        if (release.followFile(loaded.config(), "state file")) {
            keeper.save(changes.state()); // rollouts only: the snapshot's splits are as built
        }
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
            ReleaseState beforeReload = changes.state();
            RuntimeChanges.Reconciled kept = RuntimeChanges.reconcile(changes.state(), next, nextMembers);
            changes.adopt(kept, nextMembers);
            kept.messages().forEach(m -> log.warn("reload: {}", m));
            membership.replaceAll(registered.keptIn(changes.apply(nextMembers, log::warn)));
            applyDrains();
            servers.followRegistered(registered.desired()); // an upstream the reload added may take some now
            boolean rolloutsEnded = release.followFile(next, "reload");
            if (kept.changed() || rolloutsEnded) {
                keeper.save(changes.state());
                sharing.shareSince(beforeReload, false); // every instance of a fleet reconciles alike: one write wins
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
        return sharing.command(() -> {
            servers.add(upstream, address, weight);
            return null;
        });
    }

    /**
     * Brings the pools in line with the servers registered in the fleet's etcd (upstream, then address, then
     * weight): new ones are added (source {@code etcd}), gone ones drained and removed. The fleet calls it with
     * every registration there is, after each change.
     */
    public CompletableFuture<Void> followRegistered(Map<String, Map<String, Integer>> registrations) {
        return onControl(() -> {
            servers.followRegistered(registrations);
            return null;
        });
    }

    /** Drains a server, then removes it once its last request finished. Completes as soon as draining starts. */
    public CompletableFuture<Void> removeServer(String upstream, String address) {
        return sharing.command(() -> {
            servers.remove(upstream, address);
            return null;
        });
    }

    /** Stops sending new requests to a server; requests in flight finish. */
    public CompletableFuture<Void> drain(String upstream, String address, boolean draining) {
        return sharing.command(() -> {
            servers.drain(upstream, address, draining);
            return null;
        });
    }

    public CompletableFuture<Void> setWeight(String upstream, String address, int weight) {
        return sharing.command(() -> {
            servers.setWeight(upstream, address, weight);
            return null;
        });
    }

    // ---- a fleet's shared state ----

    /**
     * From now on the runtime changes are the fleet's: each command's change is written to {@code store} before it
     * succeeds (503 when it cannot be), and the store's first version ({@link #adoptSharedState}, version 0 when it
     * holds none) replaces what this instance had.
     */
    public CompletableFuture<Void> shareState(SharedState store) {
        return onControl(() -> {
            sharing.share(store);
            return null;
        });
    }

    /**
     * Where the count of live instances comes from, which divides a global rate limit among them while Redis cannot
     * decide; read on the event loops, so it must be a cached value.
     */
    public void countNodesWith(dev.bascule.limit.LiveNodes nodes) {
        liveNodes = nodes;
    }

    /** A version of the fleet's runtime state written by another instance (or this one): put in force. */
    public CompletableFuture<Void> adoptSharedState(Versioned current) {
        return onControl(() -> {
            sharing.adopt(current);
            return null;
        });
    }

    /** The version of the fleet's runtime state in force here; 0 for a single instance or before the first. */
    public CompletableFuture<Long> sharedStateVersion() {
        return onControl(sharing::version);
    }

    /** Puts a fleet's runtime state in force as a reload would: its pools, drains and splits, published. */
    private void putStateInForce(ReleaseState next) {
        servers.putStateInForce(next);
    }

    /** Judges the live rollouts, when this instance drives them (always, alone; when elected, in a fleet). */
    private void tickRollouts() {
        if (sharing.drivesRollouts()) {
            sharing.background(release::tick, sharing.active());
        } else {
            release.notDriving();
        }
    }

    /** A rollout's figures by instance: this one's own, and in a fleet those the others published. */
    private Map<String, RolloutTotals> rolloutTotals(Snapshot snapshot, String route, String to) {
        Map<String, RolloutTotals> out = new java.util.HashMap<>(sharing.publishedTotals(route));
        out.put(Rollouts.SELF, Rollouts.localTotals(snapshot, route, to));
        return out;
    }

    /**
     * This instance's running totals of every live rollout's route, by route: what it publishes for the fleet's
     * driver to add up.
     */
    public CompletableFuture<Map<String, RolloutTotals>> localRolloutTotals() {
        return onControl(release::localTotals);
    }

    // ---- routes and splits ----

    /** Every route of the config in force, with the split weights in force. */
    public CompletableFuture<List<RouteStatus>> routes() {
        return onControl(release::routes);
    }

    /**
     * Sets the weights of a named split route at once: a new snapshot is published, and the weights are kept in the
     * state file. An upstream of the split not named gets 0.
     *
     * @param weights by upstream; they must add up to 100
     * @return the route as it is now; a future failed with {@link CommandException}: 404 no route of that name,
     *     409 a route without a name or without a split holding every upstream named, or with a rollout running or
     *     paused, 400 weights that are not integers from 0 to 100 adding up to 100, or an upstream that does not
     *     exist
     */
    public CompletableFuture<RouteStatus> setSplit(String route, Map<String, Integer> weights) {
        return sharing.command(() -> release.setSplit(route, weights));
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
        return sharing.command(() -> release.startRollout(route, plan));
    }

    /**
     * Pauses, resumes, aborts or promotes the live rollout of a route.
     *
     * @return the route as it is now; a future failed with {@link CommandException} 404 (no such route) or 409
     *     (no rollout running or paused on it)
     */
    public CompletableFuture<RouteStatus> rollout(String route, RolloutCommand command) {
        return sharing.command(() -> release.rollout(route, command));
    }

    /** One route by name (or, for a route without one, by label); a future failed with a 404 when none. */
    public CompletableFuture<RouteStatus> route(String nameOrLabel) {
        return onControl(() -> release.route(nameOrLabel));
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
        return health.labelOf(upstream, address);
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
        thread.execute(() -> health.reportProbe(upstream, address, healthy, problem));
    }

    @Override
    public void probePassed(String upstream, String address) {
        thread.execute(() -> health.probePassed(upstream, address));
    }

    // ---- building ----

    /** Passive health, the counters, and the sinks of the config in force: the access log, then tracing. */
    private ExchangeEvents recordingEvents() {
        List<RecordSink> sinks = new ArrayList<>(accessLogs.sinks());
        sinks.addAll(tracing.sinks());
        return new RecordingEvents(health.passiveEvents(), stats, sinks);
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
