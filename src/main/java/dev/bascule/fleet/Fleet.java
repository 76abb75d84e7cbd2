package dev.bascule.fleet;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ClusterConfig;
import dev.bascule.config.ConfigException;
import dev.bascule.config.ConfigLoader;
import dev.bascule.control.ConfigSource;
import dev.bascule.control.ControlPlane;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.PutOption;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance's membership in a fleet: it follows the shared config in etcd and reloads when it changes (the
 * same all-or-nothing reload as a file's; a version it cannot apply leaves the running one and says why in its
 * record), writes its own record under a lease every {@link #HEARTBEAT_MILLIS}, follows the others' records, and
 * checks each etcd endpoint's health. It keeps the servers origins register in etcd in their pools ({@link
 * Registrations}). When etcd cannot be reached it serves on with what it has, reports itself
 * disconnected, and catches up when etcd answers again.
 *
 * <p>Threading: all work runs on the fleet's own thread ({@code bascule-fleet}); the public methods may be called
 * from any thread. It feeds the control plane only through the control plane's public commands.
 */
public final class Fleet implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Fleet.class);
    /** How often this instance writes its record. */
    public static final long HEARTBEAT_MILLIS = 1_000;
    /** A record whose heartbeat is older than this is not counted live. */
    public static final long LIVE_MILLIS = 3 * HEARTBEAT_MILLIS + 500;
    /** The lease of an instance's record: it disappears this long after the instance stops renewing it. */
    static final long NODE_LEASE_SECONDS = 10;
    private static final long ENDPOINT_CHECK_MILLIS = 5_000;
    private static final long CALL_TIMEOUT_MILLIS = 2_000;
    /**
     * A failed heartbeat counts as losing etcd only when none has been written for this long: while a 3-member
     * cluster elects a new leader (about an election timeout, 1 s by default) etcd refuses writes with "no leader",
     * and a beat or two lost to that is not a disconnection (the record's lease lasts 10 s).
     */
    private static final long DISCONNECTED_AFTER_MILLIS = 2 * HEARTBEAT_MILLIS + HEARTBEAT_MILLIS / 2;

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final ClusterConfig cluster;
    private final String node;
    private final Client client;
    private final FleetKeys keys;
    private final ConfigLoader loader;
    /** The instance's own file; null for a config not read from a file. */
    private final Path localFile;
    private final Clock clock;
    private final ScheduledExecutorService thread;
    private final long startedAt;
    private final String version = version();

    /** The instance's own file as last read. */
    private volatile BasculeConfig local;
    /** The fleet's config as last applied (null before any), and its revision. */
    private volatile BasculeConfig shared;
    private volatile long sharedRevision;
    /** The newest revision tried, applied or not, so a broken version is not tried at every change of others. */
    private long triedRevision;
    private volatile String configError;

    // ---- fleet thread only ----
    private ControlPlane control;
    private java.util.function.Supplier<String> adminAddress = () -> null;
    private PrefixFollower configFollower;
    private PrefixFollower nodesFollower;
    private PrefixFollower serversFollower;
    private PrefixFollower stateFollower;
    private PrefixFollower figuresFollower;
    private EtcdSharedState sharedState;
    /** The routes this instance published figures for, so a rollout's end takes them away. */
    private java.util.Set<String> publishedRoutes = java.util.Set.of();
    private volatile RolloutDriver driver;
    /** The revision of the runtime state last put in force, for this instance's record. */
    private volatile long stateRevision;
    private Map<String, NodeInfo> nodes = Map.of();
    private long leaseId;
    /** When a heartbeat was last written; 0 before the first. */
    private long lastBeatAt;
    private volatile boolean connected = true;
    private volatile long disconnectedSince;
    private volatile List<FleetStatus.Endpoint> endpoints = List.of();
    private boolean closed;
    private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();

    private Fleet(BasculeConfig local, Path localFile, ConfigLoader loader, Client client, Clock clock) {
        this.cluster = local.cluster();
        this.local = local;
        this.localFile = localFile;
        this.loader = loader;
        this.client = client;
        this.clock = clock;
        this.keys = new FleetKeys(cluster.keyPrefix());
        this.node = cluster.node() != null ? cluster.node() : defaultNodeName(local);
        this.startedAt = clock.millis();
        this.thread = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("bascule-fleet", true));
    }

    /**
     * Joins the fleet that {@code local}'s {@code cluster} section names. Connecting is lazy: this succeeds when etcd
     * is down.
     *
     * @param localFile the instance's own config file, read again on reload; null for none
     * @throws ConfigException when the etcd client cannot be built (a TLS file that cannot be read)
     */
    public static Fleet join(BasculeConfig local, Path localFile, ConfigLoader loader) throws ConfigException {
        try {
            return new Fleet(local, localFile, loader, EtcdClients.of(local.cluster().etcd()), Clock.systemUTC());
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(List.of(new dev.bascule.config.ConfigError(local.source(), 1, 1,
                    "cluster: cannot set up the etcd client: " + e.getMessage())));
        }
    }

    /** The fleet's name, its {@code cluster.name}. */
    public String fleetName() {
        return cluster.name();
    }

    public String node() {
        return node;
    }

    /**
     * The config to start with: the instance's file completed by the fleet's config as etcd holds it now. When etcd
     * does not answer within the dial timeout, or holds no config yet, or one that does not apply, the file alone,
     * and the log says why; the fleet's config follows as soon as it can.
     */
    public BasculeConfig initialConfig() {
        long waitMillis = cluster.etcd().dialTimeout().toMillis() + CALL_TIMEOUT_MILLIS;
        GetResponse r;
        try {
            r = client.getKVClient().get(keys.config()).get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("fleet {}: etcd did not answer ({}); starting from {} alone, and following the fleet's config"
                    + " once etcd answers", cluster.name(), describe(e), local.source());
            return local;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return local;
        }
        if (r.getKvs().isEmpty()) {
            log.info("fleet {}: etcd holds no config yet (./bascule push sets one); running {} alone",
                    cluster.name(), local.source());
            return local;
        }
        var kv = r.getKvs().get(0);
        long revision = kv.getModRevision();
        triedRevision = revision;
        try {
            BasculeConfig parsed = parseShared(FleetKeys.text(kv.getValue()), revision);
            BasculeConfig composed = ConfigComposer.compose(local, parsed);
            shared = parsed;
            sharedRevision = revision;
            log.info("fleet {}: starting with the fleet's config, revision {}", cluster.name(), revision);
            return composed;
        } catch (ConfigException e) {
            configError = firstLine(e);
            log.error("fleet {}: the fleet's config (revision {}) does not apply here, starting from {} alone: {}",
                    cluster.name(), revision, local.source(), e.getMessage());
            return local;
        }
    }

    /** Where a reload reads the config: the instance's file again, completed by the fleet's config in force. */
    public ConfigSource source() {
        return () -> {
            if (localFile != null) {
                BasculeConfig l = loader.load(localFile);
                if (l.cluster() == null || !l.cluster().equals(cluster)) {
                    throw new ConfigException(List.of(new dev.bascule.config.ConfigError(l.source(), 1, 1,
                            "cluster: a reload cannot change the 'cluster' section (restart to join another"
                                    + " fleet)")));
                }
                local = l;
            }
            return ConfigComposer.compose(local, shared);
        };
    }

    /**
     * Starts following the fleet: the shared config, the other instances, this instance's heartbeat.
     *
     * @param adminAddress where this instance's admin API listens, for its record (null without one); asked at each
     *     heartbeat, as the admin API may bind after this call
     */
    public void start(ControlPlane control, java.util.function.Supplier<String> adminAddress) {
        // The runtime state is the fleet's before this returns, so no command is taken as this instance's alone.
        this.driver = new RolloutDriver(client, keys.rolloutDriver(), node, thread, cluster.name());
        this.sharedState = new EtcdSharedState(client, keys.stateText(), driver, clock);
        control.shareState(sharedState).join();
        thread.execute(() -> {
            this.control = control;
            this.adminAddress = adminAddress;
            control.countNodesWith(() -> liveNodeCount);
            configFollower = new PrefixFollower(client, FleetKeys.text(keys.config()), "the fleet's config", thread,
                    this::configChanged);
            nodesFollower = new PrefixFollower(client, keys.nodesPrefix(), "the fleet's instances", thread,
                    this::nodesChanged);
            serversFollower = new PrefixFollower(client, keys.upstreamsPrefix(), "the fleet's registered servers",
                    thread, view -> control.followRegistered(Registrations.of(view.entries())));
            figuresFollower = new PrefixFollower(client, keys.figuresPrefix(), "the fleet's rollout figures", thread,
                    view -> sharedState.published(PublishedFigures.of(view.entries(), node)));
            stateFollower = new PrefixFollower(client, keys.stateText(), "the fleet's runtime state", thread,
                    this::stateChanged);
            configFollower.start();
            nodesFollower.start();
            serversFollower.start();
            stateFollower.start();
            figuresFollower.start();
            driver.start();
            thread.scheduleWithFixedDelay(this::heartbeat, 0, HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS);
            thread.scheduleWithFixedDelay(this::checkEndpoints, 0, ENDPOINT_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        });
    }

    // ---- the shared config ----

    private void configChanged(PrefixFollower.View view) {
        PrefixFollower.Entry e = view.entries().get("");
        if (e == null) {
            if (sharedRevision != 0) {
                log.warn("fleet {}: the fleet's config was deleted from etcd; the running config stays",
                        cluster.name());
            }
            return;
        }
        if (e.modRevision() <= triedRevision) {
            return;
        }
        triedRevision = e.modRevision();
        BasculeConfig parsed;
        BasculeConfig composed;
        try {
            parsed = parseShared(e.value(), e.modRevision());
            composed = ConfigComposer.compose(local, parsed);
        } catch (ConfigException ex) {
            refused(e.modRevision(), ex);
            return;
        }
        long revision = e.modRevision();
        control.reload(composed).whenCompleteAsync((version, failure) -> {
            if (failure == null) {
                shared = parsed;
                sharedRevision = revision;
                configError = null;
                log.info("fleet {}: the fleet's config revision {} is in force (version {})", cluster.name(),
                        revision, version);
                heartbeat(); // tell the others at once
            } else {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                refused(revision, cause);
            }
        }, thread);
    }

    private void refused(long revision, Throwable why) {
        configError = "revision " + revision + ": " + firstLine(why);
        log.error("fleet {}: the fleet's config revision {} does not apply here; the running config stays: {}",
                cluster.name(), revision, why.getMessage());
        heartbeat();
    }

    private BasculeConfig parseShared(String text, long revision) throws ConfigException {
        Path base = localFile != null && localFile.toAbsolutePath().getParent() != null
                ? localFile.toAbsolutePath().getParent() : Path.of("").toAbsolutePath();
        return loader.parseShared(text, "etcd:" + FleetKeys.text(keys.config()) + "@" + revision, base);
    }

    // ---- the runtime state ----

    private void stateChanged(PrefixFollower.View view) {
        PrefixFollower.Entry e = view.entries().get("");
        dev.bascule.state.Versioned v;
        if (e == null) {
            v = new dev.bascule.state.Versioned(0, dev.bascule.state.ReleaseState.EMPTY);
        } else {
            try {
                v = EtcdSharedState.decode(e.value().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        e.modRevision());
            } catch (CompletionException bad) {
                log.error("fleet {}: the runtime state in etcd (revision {}) is not valid, keeping the one in force:"
                        + " {}", cluster.name(), e.modRevision(), bad.getCause().getMessage());
                return;
            }
        }
        stateRevision = v.version();
        control.adoptSharedState(v);
    }

    // ---- the instances ----

    private void nodesChanged(PrefixFollower.View view) {
        Map<String, NodeInfo> next = new TreeMap<>();
        for (Map.Entry<String, PrefixFollower.Entry> e : view.entries().entrySet()) {
            try {
                next.put(e.getKey(), JSON.readValue(e.getValue().value(), NodeInfo.class));
            } catch (IOException bad) {
                log.debug("fleet {}: record of {} unreadable: {}", cluster.name(), e.getKey(), bad.toString());
            }
        }
        nodes = next;
        liveNodeCount = liveNodes();
    }

    /** {@link #liveNodes()} as last counted: on each change of the records and each heartbeat. */
    private volatile int liveNodeCount = 1;

    /** Instances whose heartbeat is recent, this one always included: the divisor of a local fallback limit. */
    public int liveNodes() {
        long now = clock.millis();
        int live = 0;
        boolean self = false;
        for (NodeInfo n : nodes.values()) {
            if (now - n.heartbeatAt() <= LIVE_MILLIS) {
                live++;
                self |= n.node().equals(node);
            }
        }
        return self ? live : live + 1;
    }

    private void heartbeat() {
        if (closed) {
            return;
        }
        CompletableFuture<Long> lease = leaseId != 0
                ? client.getLeaseClient().keepAliveOnce(leaseId).thenApply(r -> {
                    if (r.getTTL() <= 0) {
                        throw new CompletionException(new IllegalStateException("lease expired"));
                    }
                    return leaseId;
                })
                : client.getLeaseClient().grant(NODE_LEASE_SECONDS).thenApply(r -> r.getID());
        long now = clock.millis();
        NodeInfo me = new NodeInfo(node, adminAddress.get(), startedAt, now, sharedRevision, configError, stateRevision,
                version);
        lease.thenCompose(id -> {
            byte[] json;
            try {
                json = JSON.writeValueAsBytes(me);
            } catch (IOException e) {
                throw new CompletionException(e);
            }
            return client.getKVClient().put(keys.node(node), io.etcd.jetcd.ByteSequence.from(json),
                    PutOption.builder().withLeaseId(id).build()).thenApply(r -> id);
        }).orTimeout(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).whenCompleteAsync((id, failure) -> {
            if (failure == null) {
                leaseId = id;
                liveNodeCount = liveNodes();
                lastBeatAt = clock.millis();
                reconnected();
                publishFigures(id);
            } else {
                leaseId = 0; // a lease that expired while etcd was away is gone: the next beat takes a new one
                if (clock.millis() - lastBeatAt > DISCONNECTED_AFTER_MILLIS) {
                    disconnected(failure);
                }
            }
        }, thread);
    }

    /** Publishes this instance's totals of each live rollout under its record's lease, for the driver to add up. */
    private void publishFigures(long lease) {
        control.localRolloutTotals().whenCompleteAsync((totals, failure) -> {
            if (failure != null || closed) {
                return;
            }
            for (Map.Entry<String, dev.bascule.control.RolloutTotals> e : totals.entrySet()) {
                client.getKVClient().put(keys.figures(e.getKey(), node),
                        io.etcd.jetcd.ByteSequence.from(PublishedFigures.encode(e.getValue())),
                        PutOption.builder().withLeaseId(lease).build());
            }
            for (String gone : publishedRoutes) {
                if (!totals.containsKey(gone)) {
                    client.getKVClient().delete(keys.figures(gone, node));
                }
            }
            publishedRoutes = java.util.Set.copyOf(totals.keySet());
        }, thread);
    }

    private void disconnected(Throwable why) {
        if (connected) {
            connected = false;
            disconnectedSince = clock.millis();
            log.warn("fleet {}: etcd unreachable ({}); serving on with the config and servers in force, and"
                    + " retrying", cluster.name(), describe(why));
        }
    }

    private void reconnected() {
        if (!connected) {
            connected = true;
            log.info("fleet {}: etcd reachable again after {} ms", cluster.name(),
                    clock.millis() - disconnectedSince);
            for (PrefixFollower f : List.of(configFollower, nodesFollower, serversFollower, stateFollower,
                    figuresFollower)) {
                f.resync(); // catch up now rather than when each watch finds out by itself
            }
            disconnectedSince = 0;
        }
    }

    private void checkEndpoints() {
        List<CompletableFuture<FleetStatus.Endpoint>> checks = new ArrayList<>();
        for (URI endpoint : cluster.etcd().endpoints()) {
            String target = endpoint.toString();
            checks.add(client.getMaintenanceClient().statusMember(target)
                    .orTimeout(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                    .handle((s, failure) -> failure == null
                            ? new FleetStatus.Endpoint(target, true, s.getVersion(),
                                    s.getLeader() == s.getHeader().getMemberId(), null)
                            : new FleetStatus.Endpoint(target, false, null, false, describe(failure))));
        }
        CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).whenCompleteAsync((ok, failure) -> {
            List<FleetStatus.Endpoint> next = new ArrayList<>();
            checks.forEach(c -> next.add(c.join()));
            endpoints = List.copyOf(next);
        }, thread);
    }

    /** Whether this instance drives the fleet's rollouts now (elected). */
    public boolean drivesRollouts() {
        RolloutDriver d = driver;
        return d != null && d.drives();
    }

    /** The fleet as this instance sees it now. */
    public CompletableFuture<FleetStatus> status() {
        return CompletableFuture.supplyAsync(() -> {
            long now = clock.millis();
            List<FleetStatus.Node> list = new ArrayList<>();
            for (NodeInfo n : nodes.values()) {
                long age = now - n.heartbeatAt();
                list.add(new FleetStatus.Node(n, age <= LIVE_MILLIS, age));
            }
            list.sort(Comparator.comparing(n -> n.info().node()));
            return new FleetStatus(cluster.name(), node, connected, disconnectedSince, sharedRevision, configError,
                    List.copyOf(list), endpoints, drivesRollouts());
        }, thread);
    }

    /** Leaves the fleet: its record goes at once (the lease is revoked), then the client closes. */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
            closed = true;
            if (configFollower != null) {
                configFollower.close();
                nodesFollower.close();
                serversFollower.close();
                stateFollower.close();
                figuresFollower.close();
                driver.close();
            }
        }, thread);
        try {
            done.get(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            if (leaseId != 0) {
                client.getLeaseClient().revoke(leaseId).get(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            log.debug("fleet {}: leaving without revoking the record's lease: {}", cluster.name(), e.toString());
        }
        thread.shutdownNow();
        client.close();
    }

    private static String defaultNodeName(BasculeConfig local) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "bascule";
        }
        host = host.replaceAll("[^A-Za-z0-9._-]", "-");
        int port = local.admin() != null ? local.admin().address().port() : 0;
        String name = host + "-" + port;
        return name.length() > 64 ? name.substring(name.length() - 64) : name;
    }

    private static String describe(Throwable e) {
        return EtcdFailures.describe(e);
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static String version() {
        Properties p = new Properties();
        try (InputStream in = Fleet.class.getResourceAsStream("/dev/bascule/version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // unknown version
        }
        return p.getProperty("version", "unknown");
    }
}
