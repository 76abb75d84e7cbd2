package dev.bascule.control;

import dev.bascule.balance.Balancers;
import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ConfigException;
import dev.bascule.config.HostPort;
import dev.bascule.config.ServerConfig;
import dev.bascule.config.UpstreamConfig;
import dev.bascule.tls.TlsMaterial;
import dev.bascule.upstream.Server;
import dev.bascule.upstream.ServerRegistry;
import dev.bascule.upstream.ServerState;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane: owns the running config and the membership of every pool, applies reloads, admin
 * commands, health verdicts, ejections and DNS changes, and publishes a new {@link Snapshot} after each.
 *
 * <p>Threading: all state is confined to one control thread; public methods hand their work to it and return
 * a future (or nothing), so they may be called from anywhere, event loops included, without blocking. Only
 * {@link #live()} and {@link #probeTargets()} are read directly.
 */
public final class ControlPlane implements DataPlaneEvents, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);
    /** How often a removal checks whether the drained server's last request finished. */
    private static final long DRAIN_POLL_MILLIS = 50;
    /** Ejection time grows with each ejection, up to this. */
    private static final Duration MAX_EJECTION = Duration.ofMinutes(5);
    /** How often rate limiters forget clients whose buckets are full again. */
    private static final long RATE_LIMIT_SWEEP_SECONDS = 10;

    private final ScheduledExecutorService thread;
    private final ServerRegistry registry;
    private final SnapshotBuilder builder;
    private final Resolver resolver;
    private final LongSupplier nanoTime;
    private final Clock clock;
    private final LiveSnapshot live;
    private final List<Consumer<BasculeConfig>> configListeners = new CopyOnWriteArrayList<>();
    private volatile ReloadPreparation preparation = (next, nextTls) -> {};
    private final List<Runnable> targetListeners = new CopyOnWriteArrayList<>();
    private volatile List<ProbeTarget> probeTargets = List.of();
    /** The TLS contexts of the config in force; written on the control thread before listeners hear of it. */
    private volatile TlsMaterial tls;

    // ---- control thread only ----
    private BasculeConfig config;
    private long configVersion;
    private Map<String, List<Member>> members;
    /** Servers added at runtime that wait for their first passing probe. */
    private final Set<ServerState> fresh = new HashSet<>();
    private final Map<String, ScheduledFuture<?>> resolveTasks = new LinkedHashMap<>();
    private ScheduledFuture<?> slowStartTick;

    private ControlPlane(ScheduledExecutorService thread, ServerRegistry registry, Balancers balancers,
            Resolver resolver, Clock clock, LongSupplier nanoTime, BasculeConfig config,
            Map<String, List<Member>> members, TlsMaterial tls) {
        this.thread = thread;
        this.registry = registry;
        this.builder = new SnapshotBuilder(registry, balancers, clock);
        this.resolver = resolver;
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.config = config;
        this.configVersion = 1;
        this.members = members;
        this.tls = tls;
        this.live = new LiveSnapshot(builder.build(config, tls, members, null, 1, nanoTime.getAsLong(), this));
        refreshProbeTargets();
    }

    /**
     * Resolves the config's servers and builds the first snapshot.
     *
     * @throws ConfigException when a server's host name does not resolve, or a TLS file cannot be used
     */
    public static ControlPlane start(BasculeConfig config, Balancers balancers, Resolver resolver, Clock clock,
            LongSupplier nanoTime, ScheduledExecutorService thread) throws ConfigException {
        Map<String, List<Member>> members = MemberResolution.resolveMembers(config, resolver);
        TlsMaterial tls = TlsMaterial.build(config);
        ControlPlane cp = new ControlPlane(thread, new ServerRegistry(), balancers, resolver, clock, nanoTime,
                config, members, tls);
        cp.thread.execute(cp::scheduleResolving);
        cp.thread.scheduleWithFixedDelay(() -> cp.builder.expireIdleRateLimitKeys(cp.nanoTime.getAsLong()),
                RATE_LIMIT_SWEEP_SECONDS, RATE_LIMIT_SWEEP_SECONDS, TimeUnit.SECONDS);
        return cp;
    }

    public LiveSnapshot live() {
        return live;
    }

    /** The TLS contexts (listener SNI mappings, upstream clients) built from the config in force. */
    public TlsMaterial tls() {
        return tls;
    }

    /** The config in force; safe from any thread (records are immutable). */
    public CompletableFuture<BasculeConfig> config() {
        return onControl(() -> config);
    }

    /** Called after every successful reload, on the control thread, with the new config. */
    public void onConfigChanged(Consumer<BasculeConfig> listener) {
        configListeners.add(listener);
    }

    /**
     * Makes ready, before a reloaded config is swapped in, what it needs outside the control plane and may not get
     * (a listening socket on a port another process holds). Runs on the control thread after the config's servers
     * and certificates have been read, so a refusal is the last reason a reload can fail.
     */
    @FunctionalInterface
    public interface ReloadPreparation {
        /** @throws ConfigException the config cannot be served; whatever this call set up it has undone */
        void prepare(BasculeConfig next, TlsMaterial nextTls) throws ConfigException;
    }

    /** Sets the step every reload must pass before it is swapped in; one at a time. */
    public void prepareReloadsWith(ReloadPreparation preparation) {
        this.preparation = Objects.requireNonNull(preparation, "preparation");
    }

    /** Called on the control thread whenever {@link #probeTargets()} changed. */
    public void onProbeTargetsChanged(Runnable listener) {
        targetListeners.add(listener);
    }

    /** Every server whose upstream has active checks. */
    public List<ProbeTarget> probeTargets() {
        return probeTargets;
    }

    // ---- reload ----

    /**
     * Swaps in a new config: resolves its servers, reads its certificates, passes the {@link ReloadPreparation},
     * keeps the state of every server it still has, drops servers it no longer lists (servers added through the
     * API included), and publishes. On failure nothing changes.
     *
     * @return the new config version, or a future failed with {@link ConfigException}
     */
    public CompletableFuture<Long> reload(BasculeConfig next) {
        return onControl(() -> {
            Map<String, List<Member>> nextMembers = MemberResolution.resolveMembers(next, resolver);
            TlsMaterial nextTls = TlsMaterial.build(next); // re-reads every certificate file
            preparation.prepare(next, nextTls);
            BasculeConfig previous = config;
            config = next;
            configVersion++;
            members = nextMembers;
            tls = nextTls;
            fresh.clear();
            publish();
            retainRegistry();
            scheduleResolving();
            log.info("config {} loaded (version {})", next.source(), configVersion);
            for (Consumer<BasculeConfig> l : configListeners) {
                try {
                    l.accept(next);
                } catch (RuntimeException e) {
                    log.error("applying config version {} failed", configVersion, e);
                }
            }
            if (previous != next) {
                refreshProbeTargets();
            }
            return configVersion;
        });
    }

    /** Reads the config again from {@code source} and reloads it. */
    public CompletableFuture<Long> reload(ConfigSource source) {
        BasculeConfig next;
        try {
            next = source.load();
        } catch (ConfigException e) {
            return CompletableFuture.failedFuture(e);
        }
        return reload(next);
    }

    // ---- admin commands ----

    /** Adds a server to a pool (source {@code api}); it takes traffic at once, or after a first passing probe. */
    public CompletableFuture<Void> addServer(String upstream, String address, int weight) {
        return onControl(() -> {
            List<Member> list = pool(upstream);
            if (weight < 1 || weight > 1000) {
                throw new CommandException(400, "weight must be from 1 to 1000");
            }
            HostPort hp;
            try {
                hp = HostPort.parse(address);
            } catch (IllegalArgumentException e) {
                throw new CommandException(400, e.getMessage());
            }
            if (hp.port() == 0) {
                throw new CommandException(400, "a server needs a real port");
            }
            String key = hp.toString();
            if (find(list, key) != null) {
                throw new CommandException(409, "server " + key + " already in upstream '" + upstream + "'");
            }
            InetSocketAddress resolved;
            try {
                resolved = new InetSocketAddress(resolver.resolve(hp.host()).get(0), hp.port());
            } catch (UnknownHostException e) {
                throw new CommandException(400, "cannot resolve " + hp.host());
            }
            ServerState state = registry.stateFor(upstream, key);
            state.setDraining(false);
            state.setRoutableSinceNanos(nanoTime.getAsLong());
            if (config.upstreams().get(upstream).healthCheck() != null) {
                state.setProbeHealthy(false, "not probed yet");
                fresh.add(state);
            }
            list.add(new Member(key, resolved, weight, Member.Source.API, null));
            log.info("upstream {} server {} added (weight {})", upstream, key, weight);
            publish();
            refreshProbeTargets();
            return null;
        });
    }

    /** Drains a server, then removes it once its last request finished. Completes as soon as draining starts. */
    public CompletableFuture<Void> removeServer(String upstream, String address) {
        return onControl(() -> {
            Member m = member(upstream, address);
            ServerState state = registry.stateFor(upstream, m.address());
            state.setDraining(true);
            publish();
            log.info("upstream {} server {} draining for removal", upstream, m.address());
            thread.schedule(() -> finishRemoval(upstream, m.address(), state, 0), DRAIN_POLL_MILLIS,
                    TimeUnit.MILLISECONDS);
            return null;
        });
    }

    private void finishRemoval(String upstream, String address, ServerState state, int idlePolls) {
        List<Member> list = members.get(upstream);
        Member m = list == null ? null : find(list, address);
        if (m == null || registry.stateFor(upstream, address) != state) {
            return; // a reload replaced the pool in the meantime
        }
        if (!state.draining()) {
            return; // undrained: the removal was called off
        }
        // Two quiet polls in a row: a request that read the previous snapshot just before the drain has had
        // time to register itself.
        int polls = state.inFlight() == 0 ? idlePolls + 1 : 0;
        if (polls < 2) {
            thread.schedule(() -> finishRemoval(upstream, address, state, polls), DRAIN_POLL_MILLIS,
                    TimeUnit.MILLISECONDS);
            return;
        }
        list.remove(m);
        fresh.remove(state);
        publish();
        retainRegistry();
        refreshProbeTargets();
        log.info("upstream {} server {} removed", upstream, address);
    }

    /** Stops sending new requests to a server; requests in flight finish. */
    public CompletableFuture<Void> drain(String upstream, String address, boolean draining) {
        return onControl(() -> {
            Member m = member(upstream, address);
            ServerState state = registry.stateFor(upstream, m.address());
            if (state.draining() != draining) {
                state.setDraining(draining);
                if (!draining) {
                    state.setRoutableSinceNanos(nanoTime.getAsLong());
                }
                log.info("upstream {} server {} {}", upstream, m.address(), draining ? "draining" : "undrained");
                publish();
            }
            return null;
        });
    }

    public CompletableFuture<Void> setWeight(String upstream, String address, int weight) {
        return onControl(() -> {
            if (weight < 1 || weight > 1000) {
                throw new CommandException(400, "weight must be from 1 to 1000");
            }
            List<Member> list = pool(upstream);
            Member m = member(upstream, address);
            list.set(list.indexOf(m), m.withWeight(weight));
            log.info("upstream {} server {} weight {}", upstream, m.address(), weight);
            publish();
            return null;
        });
    }

    /** The running config and every server's state. */
    public CompletableFuture<Status> status() {
        return onControl(() -> {
            Snapshot s = live.get();
            long now = nanoTime.getAsLong();
            Map<String, Status.UpstreamStatus> ups = new LinkedHashMap<>();
            for (UpstreamConfig u : config.upstreams().values()) {
                List<Status.ServerStatus> servers = new ArrayList<>();
                for (Member m : members.getOrDefault(u.name(), List.of())) {
                    ServerState st = registry.stateFor(u.name(), m.address());
                    servers.add(new Status.ServerStatus(m.address(), m.weight(), stateLabel(st, now), st.inFlight(),
                            st.requests(), st.failures(), st.latency().averageNanos(System.nanoTime()),
                            m.source().label(), st.openConnections(), m.maxConnections()));
                }
                Pool pool = s.pools().get(u.name());
                ups.put(u.name(), new Status.UpstreamStatus(u.balancer(), servers,
                        pool == null ? 0 : pool.queueLength()));
            }
            return new Status(new Status.ConfigInfo(s.source(), configVersion, s.loadedAt()), ups);
        });
    }

    static String stateLabel(ServerState st, long now) {
        if (st.draining()) {
            return "draining";
        }
        if (st.ejectedAt(now)) {
            return "ejected";
        }
        return st.probeHealthy() ? "healthy" : "unhealthy";
    }

    // ---- health ----

    /**
     * The active checker's verdict on a server changed (or a fresh server passed its first probe).
     *
     * @param problem why it is down; null when healthy
     */
    public void reportProbe(String upstream, String address, boolean healthy, String problem) {
        thread.execute(() -> {
            List<Member> list = members.get(upstream);
            Member m = list == null ? null : find(list, address);
            if (m == null) {
                return;
            }
            ServerState st = registry.stateFor(upstream, m.address());
            boolean wasFresh = fresh.remove(st);
            if (st.probeHealthy() == healthy && !wasFresh) {
                st.setProbeHealthy(healthy, problem);
                return;
            }
            st.setProbeHealthy(healthy, problem);
            if (healthy) {
                st.setRoutableSinceNanos(nanoTime.getAsLong());
                log.info("upstream {} server {} UP", upstream, m.address());
            } else {
                log.warn("upstream {} server {} DOWN: {}", upstream, m.address(), problem);
            }
            publish();
            if (wasFresh) {
                refreshProbeTargets();
            }
        });
    }

    @Override
    public void outlierDetected(Pool pool, Server server, int failures) {
        thread.execute(() -> eject(pool.name(), server, failures));
    }

    private void eject(String upstream, Server server, int failures) {
        List<Member> list = members.get(upstream);
        UpstreamConfig u = config.upstreams().get(upstream);
        if (list == null || u == null || find(list, server.address()) == null) {
            return;
        }
        ServerState st = server.state();
        long now = nanoTime.getAsLong();
        if (st.ejectedAt(now) || u.passive().consecutiveFailures() == 0) {
            return;
        }
        int ejected = 0;
        for (Member m : list) {
            if (registry.stateFor(upstream, m.address()).ejectedAt(now)) {
                ejected++;
            }
        }
        if ((ejected + 1) * 100 > u.passive().maxEjectedPercent() * list.size()) {
            log.warn("upstream {} server {} failing ({} in a row) but not ejected: {}% of the pool is out already",
                    upstream, server.address(), failures, ejected * 100 / list.size());
            return;
        }
        Duration base = u.passive().baseEjection();
        Duration length = base.multipliedBy(st.ejections() + 1L);
        Duration cap = base.compareTo(MAX_EJECTION) > 0 ? base : MAX_EJECTION;
        if (length.compareTo(cap) > 0) {
            length = cap;
        }
        st.eject(now + length.toNanos());
        log.warn("upstream {} server {} ejected for {} ms: {} failures in a row", upstream, server.address(),
                length.toMillis(), failures);
        publish();
        thread.schedule(() -> endEjection(upstream, server.address(), st), length.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void endEjection(String upstream, String address, ServerState st) {
        if (st.ejectedUntilNanos() == 0 || st.ejectedAt(nanoTime.getAsLong())) {
            return;
        }
        st.clearEjection();
        st.setRoutableSinceNanos(nanoTime.getAsLong());
        log.info("upstream {} server {} back from ejection", upstream, address);
        publish();
    }

    // ---- DNS ----

    private void scheduleResolving() {
        resolveTasks.values().forEach(f -> f.cancel(false));
        resolveTasks.clear();
        for (UpstreamConfig u : config.upstreams().values()) {
            boolean byName = u.servers().stream().anyMatch(s -> !MemberResolution.isIpLiteral(s.address().host()));
            if (byName) {
                long every = Math.max(1, u.resolveEvery().toMillis());
                resolveTasks.put(u.name(), thread.scheduleWithFixedDelay(() -> reresolve(u.name()), every, every,
                        TimeUnit.MILLISECONDS));
            }
        }
    }

    private void reresolve(String upstream) {
        UpstreamConfig u = config.upstreams().get(upstream);
        List<Member> current = members.get(upstream);
        if (u == null || current == null) {
            return;
        }
        List<Member> next = new ArrayList<>();
        for (ServerConfig sc : u.servers()) {
            try {
                next.addAll(MemberResolution.membersOf(sc, resolver));
            } catch (UnknownHostException e) {
                // Keep what we had: a DNS outage must not empty a pool.
                log.warn("upstream {}: cannot resolve {}, keeping its previous addresses", upstream, sc.address());
                current.stream().filter(m -> sc.address().toString().equals(m.configured())).forEach(next::add);
            }
        }
        for (Member m : current) {
            if (m.source() == Member.Source.API) {
                next.add(m);
            }
        }
        if (sameAddresses(current, next)) {
            return;
        }
        log.info("upstream {} follows DNS: {} -> {}", upstream, addresses(current), addresses(next));
        long now = nanoTime.getAsLong();
        for (Member m : next) {
            if (find(current, m.address()) == null) {
                registry.stateFor(upstream, m.address()).setRoutableSinceNanos(now);
            }
        }
        current.clear();
        current.addAll(next);
        publish();
        retainRegistry();
        refreshProbeTargets();
    }

    private static boolean sameAddresses(List<Member> a, List<Member> b) {
        return addresses(a).equals(addresses(b));
    }

    private static List<String> addresses(List<Member> list) {
        return list.stream().map(Member::address).sorted().toList();
    }

    // ---- building ----

    /** Builds and publishes a snapshot from the current config, membership and server states. */
    private void publish() {
        long now = nanoTime.getAsLong();
        live.publish(builder.build(config, tls, members, live.get(), configVersion, now, this));
        scheduleSlowStartTick(now);
    }

    /** While a server ramps up under slow start, rebuild regularly so its weight follows. */
    private void scheduleSlowStartTick(long now) {
        if (slowStartTick != null && !slowStartTick.isDone()) {
            return;
        }
        long nextTick = Long.MAX_VALUE;
        for (UpstreamConfig u : config.upstreams().values()) {
            long ramp = u.slowStart().toNanos();
            if (ramp <= 0) {
                continue;
            }
            for (Member m : members.getOrDefault(u.name(), List.of())) {
                long since = registry.stateFor(u.name(), m.address()).routableSinceNanos();
                if (since != 0 && now - since < ramp) {
                    nextTick = Math.min(nextTick, Math.max(ramp / 10, 1_000_000));
                }
            }
        }
        if (nextTick != Long.MAX_VALUE) {
            slowStartTick = thread.schedule(this::publish, nextTick, TimeUnit.NANOSECONDS);
        }
    }

    private void retainRegistry() {
        List<ServerState> liveStates = new ArrayList<>();
        for (Map.Entry<String, List<Member>> e : members.entrySet()) {
            for (Member m : e.getValue()) {
                liveStates.add(registry.stateFor(e.getKey(), m.address()));
            }
        }
        registry.retainOnly(new HashSet<>(liveStates));
    }

    private void refreshProbeTargets() {
        List<ProbeTarget> targets = new ArrayList<>();
        for (UpstreamConfig u : config.upstreams().values()) {
            if (u.healthCheck() == null) {
                continue;
            }
            for (Member m : members.getOrDefault(u.name(), List.of())) {
                boolean isFresh = fresh.contains(registry.stateFor(u.name(), m.address()));
                targets.add(new ProbeTarget(u.name(), m.address(), m.resolved(), u.healthCheck(), isFresh));
            }
        }
        if (!targets.equals(probeTargets)) {
            probeTargets = List.copyOf(targets);
            targetListeners.forEach(Runnable::run);
        }
    }

    private List<Member> pool(String upstream) {
        List<Member> list = members.get(upstream);
        if (list == null) {
            throw new CommandException(404, "unknown upstream '" + upstream + "'");
        }
        return list;
    }

    private Member member(String upstream, String address) {
        Member m = find(pool(upstream), normalize(address));
        if (m == null) {
            throw new CommandException(404, "no server " + address + " in upstream '" + upstream + "'");
        }
        return m;
    }

    private static String normalize(String address) {
        try {
            return HostPort.parse(address).toString();
        } catch (IllegalArgumentException e) {
            return address;
        }
    }

    private static Member find(List<Member> list, String address) {
        for (Member m : list) {
            if (m.address().equals(address)) {
                return m;
            }
        }
        return null;
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

    /** Time source of this control plane, for components that must agree with it. */
    public Clock clock() {
        return clock;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
