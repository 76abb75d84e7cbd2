package dev.bascule.fleet;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.bascule.testing.EtcdProcess;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.DeleteOption;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * A fleet's etcd traffic at scale, measured against a real etcd: {@code watchers} followers of a fleet's
 * {@code upstreams/} prefix (each the real {@link PrefixFollower} on an etcd client and a thread of its own, as in
 * an instance, without the proxy around it: {@link SimulatedMember}), {@code servers} self-registered servers each
 * under a lease of its own, kept alive ({@link SimulatedOrigins}), and then how long a change takes to reach every
 * follower: the first registrations, one new registration, one deregistration (its lease revoked), one lease that
 * expires. Last, every follower also heartbeats and follows everyone's record, as instances do under
 * {@code nodes/}. It reports etcd's CPU time, memory and database size, and this JVM's CPU time, phase by phase.
 *
 * <p>Not a test: {@code bench/fleet-sim} runs it at the default scale (under a minute), and
 * {@code FleetScaleSimulationTest} runs it at a tiny one so it keeps working. The origins' leases are kept alive by
 * a few clients ({@value #REGISTRARS}), not one each: etcd renews as many leases, over fewer connections.
 *
 * <p>Threading: {@link #run} blocks its caller; each follower runs on its own thread.
 */
final class FleetScaleSimulation {
    /** The clients that register the servers and keep their leases alive, standing in for the origins. */
    static final int REGISTRARS = 4;
    static final String PREFIX = "/bascule/sim/upstreams/";
    static final String NODES_PREFIX = "/bascule/sim/nodes/";
    /** As Fleet's records are written and read. */
    static final ObjectMapper NODE_JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final int SERVERS_PER_UPSTREAM = 100;
    private static final int MAX_IN_FLIGHT = 256;
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    static final ByteSequence WEIGHT = FleetKeys.bytes("{\"weight\": 1}");

    /**
     * @param watchers followers of the prefix, each with its own client and thread
     * @param servers registered before the changes are measured, each under its own lease, kept alive
     * @param changes new registrations measured one after the other, then removed one after the other
     * @param expiries servers left to expire one after the other, each measured
     * @param serverTtlSeconds the lease of every registered server
     * @param expiryTtlSeconds the lease of a server left to expire
     * @param steady how long to measure etcd with nothing but the leases' renewals
     * @param heartbeats how long every follower also writes its own record each second (keepAliveOnce + put, as
     *     an instance's heartbeat) and follows everyone's, as an instance follows {@code nodes/}; zero for none
     */
    record Scale(int watchers, int servers, int changes, int expiries, long serverTtlSeconds, long expiryTtlSeconds,
            Duration steady, Duration heartbeats) {
        static final Scale DEFAULT = new Scale(50, 1_000, 100, 3, 10, 2, Duration.ofSeconds(5),
                Duration.ofSeconds(5));
    }

    enum Kind { INITIAL, ADD, REMOVE, EXPIRY }

    /**
     * One change and the time it took to reach every follower (for an expiry, from the lease's grant, so the TTL
     * is included).
     *
     * @param seenBy how many followers saw it before the timeout
     */
    record ProbeResult(Kind kind, String key, long nanos, int seenBy) {}

    /**
     * A phase of the run and the CPU time spent in it: by etcd, by this whole JVM (followers, their clients and the
     * registering origins), and by the followers' own threads alone (handling changes and copying their view).
     */
    record Phase(String name, long wallNanos, long etcdCpuNanos, long jvmCpuNanos, long followerCpuNanos) {}

    /**
     * @param registeredNanos from the first grant until etcd acknowledged every first registration
     * @param finalEntries the keys each follower holds at the end (every server still registered)
     * @param renewalsPerSecond lease renewals etcd answered per second in the steady phase
     * @param beatsPerSecond records written per second in the heartbeat phase, all followers together
     * @param nodeViewsPerSecond copies of {@code nodes/} delivered per second in the heartbeat phase, all followers
     *     together (each one or more changed records, every record in it parsed, as an instance does)
     * @param nodesSeen the records each follower held at the end of the heartbeat phase
     */
    record Result(Scale scale, String etcdVersion, long registeredNanos, List<ProbeResult> probes,
            List<Phase> phases, int[] finalEntries, double renewalsPerSecond, long keepAliveErrors,
            double beatsPerSecond, double nodeViewsPerSecond, int[] nodesSeen, long etcdRssBytes,
            long etcdPeakRssBytes, long etcdDbBytes) {

        long[] nanos(Kind kind) {
            return probes.stream().filter(p -> p.kind() == kind).mapToLong(ProbeResult::nanos).sorted().toArray();
        }

        List<ProbeResult> missed() {
            return probes.stream().filter(p -> p.seenBy() < scale.watchers()).toList();
        }
    }

    private FleetScaleSimulation() {}

    /**
     * Runs the simulation against the etcd at {@code endpoint}, whose process is {@code etcdPid} (for its CPU and
     * memory). It starts by deleting what a run before it left under the prefix, and closes every client it made;
     * the keys it leaves go when their leases run out.
     */
    static Result run(String endpoint, long etcdPid, Scale scale) throws Exception {
        List<SimulationProbe> active = new CopyOnWriteArrayList<>();
        List<ProbeResult> probes = new ArrayList<>();
        List<Phase> phases = new ArrayList<>();
        List<SimulatedMember> watchers = new ArrayList<>();
        List<SimulatedOrigins> registrars = new ArrayList<>();
        AtomicLong renewals = new AtomicLong();
        AtomicLong keepAliveErrors = new AtomicLong();
        try (Client admin = Client.builder().endpoints(endpoint).build()) {
            admin.getKVClient().delete(FleetKeys.bytes(PREFIX), DeleteOption.builder().isPrefix(true).build())
                    .get(10, TimeUnit.SECONDS);
            for (int i = 0; i < REGISTRARS; i++) {
                registrars.add(new SimulatedOrigins(endpoint, renewals, keepAliveErrors));
            }

            LongSupplier followersCpu = () -> watchers.stream().mapToLong(SimulatedMember::cpuNanos).sum();
            PhaseClock phase = new PhaseClock(etcdPid, followersCpu);
            SimulationProbe ready = probe("every follower's first read", m -> true, scale, active, System.nanoTime());
            for (int i = 0; i < scale.watchers(); i++) {
                SimulatedMember w = new SimulatedMember(i, endpoint, active);
                watchers.add(w);
                w.follower.start();
            }
            await(ready, active, Duration.ofSeconds(30));
            phases.add(phase.end("followers start and read"));

            // The first registrations, as fast as etcd takes them.
            phase = new PhaseClock(etcdPid, followersCpu);
            long start = System.nanoTime();
            SimulationProbe initial = new SimulationProbe("the first " + scale.servers() + " servers",
                    m -> m.size() >= scale.servers(), scale.watchers(), start);
            active.add(initial);
            Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
            List<CompletableFuture<SimulatedOrigins.Registration>> first = new ArrayList<>();
            for (int i = 0; i < scale.servers(); i++) {
                inFlight.acquire();
                CompletableFuture<SimulatedOrigins.Registration> r = registrars.get(i % REGISTRARS)
                        .register(serverKey(i), scale.serverTtlSeconds());
                r.whenComplete((ok, failure) -> inFlight.release());
                first.add(r);
            }
            CompletableFuture.allOf(first.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            long registeredNanos = System.nanoTime() - start;
            await(initial, active, Duration.ofSeconds(60));
            probes.add(initial.result(Kind.INITIAL));
            phases.add(phase.end("first registrations"));

            // Nothing but renewals: what the leases cost etcd at rest.
            double renewalsPerSecond = 0;
            if (!scale.steady().isZero()) {
                phase = new PhaseClock(etcdPid, followersCpu);
                long before = renewals.get();
                Thread.sleep(scale.steady().toMillis());
                renewalsPerSecond = (renewals.get() - before) / (scale.steady().toMillis() / 1000.0);
                phases.add(phase.end("steady (renewals only)"));
            }

            // One change at a time: a new server, then each of them removed (lease revoked).
            phase = new PhaseClock(etcdPid, followersCpu);
            SimulatedOrigins origin = registrars.get(0);
            List<SimulatedOrigins.Registration> added = new ArrayList<>();
            for (int i = 0; i < scale.changes(); i++) {
                String key = changeKey(i);
                long leaseId = origin.grant(scale.serverTtlSeconds()).get(10, TimeUnit.SECONDS);
                SimulationProbe p = probe(key, m -> m.containsKey(key), scale, active, System.nanoTime());
                added.add(origin.put(key, leaseId).get(10, TimeUnit.SECONDS));
                await(p, active, PROBE_TIMEOUT);
                probes.add(p.result(Kind.ADD));
            }
            for (SimulatedOrigins.Registration r : added) {
                SimulationProbe p = probe(r.key(), m -> !m.containsKey(r.key()), scale, active, System.nanoTime());
                origin.revoke(r).get(10, TimeUnit.SECONDS);
                await(p, active, PROBE_TIMEOUT);
                probes.add(p.result(Kind.REMOVE));
            }
            phases.add(phase.end(scale.changes() + " additions and " + scale.changes() + " removals"));

            // A server that stops renewing: its key goes when etcd expires the lease.
            phase = new PhaseClock(etcdPid, followersCpu);
            for (int i = 0; i < scale.expiries(); i++) {
                String key = expiryKey(i);
                long[] grantedAt = new long[1];
                long leaseId = origin.grant(scale.expiryTtlSeconds()).thenApply(id -> {
                    grantedAt[0] = System.nanoTime();
                    return id;
                }).get(10, TimeUnit.SECONDS);
                SimulationProbe present = probe(key, m -> m.containsKey(key), scale, active, System.nanoTime());
                origin.putOnly(key, leaseId).get(10, TimeUnit.SECONDS);
                await(present, active, PROBE_TIMEOUT);
                SimulationProbe gone = probe(key, m -> !m.containsKey(key), scale, active, grantedAt[0]);
                await(gone, active, PROBE_TIMEOUT.plusSeconds(scale.expiryTtlSeconds()));
                probes.add(gone.result(Kind.EXPIRY));
            }
            phases.add(phase.end(scale.expiries() + " expiries"));

            int[] finalEntries = watchers.stream().mapToInt(w -> w.last.size()).toArray();

            // Every follower an instance: its own record written each second, everyone's followed.
            double beatsPerSecond = 0;
            double nodeViewsPerSecond = 0;
            int[] nodesSeen = new int[0];
            if (!scale.heartbeats().isZero()) {
                for (SimulatedMember w : watchers) {
                    w.startBeating();
                }
                await(allNodes(watchers, scale.watchers(), active), active, Duration.ofSeconds(30));
                phase = new PhaseClock(etcdPid, followersCpu);
                long beats = watchers.stream().mapToLong(w -> w.beats.get()).sum();
                long views = watchers.stream().mapToLong(w -> w.nodeViews.get()).sum();
                Thread.sleep(scale.heartbeats().toMillis());
                double seconds = scale.heartbeats().toMillis() / 1000.0;
                beatsPerSecond = (watchers.stream().mapToLong(w -> w.beats.get()).sum() - beats) / seconds;
                nodeViewsPerSecond = (watchers.stream().mapToLong(w -> w.nodeViews.get()).sum() - views) / seconds;
                phases.add(phase.end("heartbeats (" + scale.watchers() + " records/s)"));
                for (SimulatedMember w : watchers) {
                    w.stopBeating();
                }
                nodesSeen = watchers.stream().mapToInt(w -> w.nodes.size()).toArray();
            }
            var status = admin.getMaintenanceClient().statusMember(endpoint).get(10, TimeUnit.SECONDS);
            long[] memory = memory(etcdPid);
            return new Result(scale, status.getVersion(), registeredNanos, List.copyOf(probes), List.copyOf(phases),
                    finalEntries, renewalsPerSecond, keepAliveErrors.get(), beatsPerSecond, nodeViewsPerSecond,
                    nodesSeen, memory[0], memory[1], status.getDbSize());
        } finally {
            for (SimulatedMember w : watchers) {
                w.close();
            }
            for (SimulatedOrigins r : registrars) {
                r.close();
            }
        }
    }

    /** A probe that every follower reaches once it holds every follower's record. */
    private static SimulationProbe allNodes(List<SimulatedMember> watchers, int count, List<SimulationProbe> active) {
        SimulationProbe p = new SimulationProbe("every record", null, count, System.nanoTime());
        for (SimulatedMember w : watchers) {
            w.nodesProbe = p;
        }
        active.add(p);
        return p;
    }

    /** A probe offered every view from now on, whose times count from {@code startNanos}. */
    private static SimulationProbe probe(String what, Predicate<Map<String, PrefixFollower.Entry>> reached,
            Scale scale, List<SimulationProbe> active, long startNanos) {
        SimulationProbe p = new SimulationProbe(what, reached, scale.watchers(), startNanos);
        active.add(p);
        return p;
    }

    private static void await(SimulationProbe p, List<SimulationProbe> active, Duration timeout)
            throws InterruptedException {
        p.all.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        active.remove(p);
    }

    private static String serverKey(int i) {
        return "u" + (i / SERVERS_PER_UPSTREAM) + "/servers/10." + (i >> 16 & 0xff) + "." + (i >> 8 & 0xff)
                + "." + (i & 0xff) + ":8080";
    }

    private static String changeKey(int i) {
        return "changes/servers/10.254." + (i >> 8 & 0xff) + "." + (i & 0xff) + ":8080";
    }

    private static String expiryKey(int i) {
        return "expiries/servers/10.253.0." + (i & 0xff) + ":8080";
    }

    /** CPU time of etcd, of this JVM and of the followers' threads since it was made. */
    private static final class PhaseClock {
        final long etcdPid;
        final LongSupplier followersCpu;
        final long wall = System.nanoTime();
        final long etcdCpu;
        final long jvmCpu = jvmCpuNanos();
        final long followerCpu;

        PhaseClock(long etcdPid, LongSupplier followersCpu) throws IOException {
            this.etcdPid = etcdPid;
            this.followersCpu = followersCpu;
            this.etcdCpu = etcdCpuNanos(etcdPid);
            this.followerCpu = followersCpu.getAsLong();
        }

        Phase end(String name) throws IOException {
            return new Phase(name, System.nanoTime() - wall, etcdCpuNanos(etcdPid) - etcdCpu,
                    jvmCpuNanos() - jvmCpu, followersCpu.getAsLong() - followerCpu);
        }
    }

    /** utime + stime of a process, fields 14 and 15 of /proc/PID/stat, in clock ticks of 10 ms (USER_HZ 100). */
    static long etcdCpuNanos(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // after "pid (comm) ", f[0] is field 3 (state): utime is field 14, stime field 15
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
    }

    private static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** VmRSS and VmHWM (peak) of a process, in bytes. */
    private static long[] memory(long pid) throws IOException {
        long rss = 0;
        long peak = 0;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = kib(line) * 1024;
            } else if (line.startsWith("VmHWM:")) {
                peak = kib(line) * 1024;
            }
        }
        return new long[] {rss, peak};
    }

    private static long kib(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    // ---- the report ----

    static String report(Result r) {
        Scale s = r.scale();
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "fleet-sim: %d followers of %s, %d servers (lease %d s each, kept alive"
                + " by %d clients), etcd %s%n", s.watchers(), PREFIX, s.servers(), s.serverTtlSeconds(), REGISTRARS,
                r.etcdVersion()));
        long[] initial = r.nanos(Kind.INITIAL);
        b.append(String.format(Locale.ROOT, "first %d registrations: acknowledged by etcd in %s, in every"
                + " follower's copy in %s%n", s.servers(), ms(r.registeredNanos()), ms(initial[0])));
        b.append(line("one new registration to every follower", r.nanos(Kind.ADD)));
        b.append(line("one deregistration (lease revoked) to every follower", r.nanos(Kind.REMOVE)));
        long[] expiry = r.nanos(Kind.EXPIRY);
        long ttl = TimeUnit.SECONDS.toNanos(s.expiryTtlSeconds());
        long[] late = Arrays.stream(expiry).map(n -> n - ttl).sorted().toArray();
        b.append(String.format(Locale.ROOT, "lease expiry (TTL %d s) to every follower: %s after the grant, that is"
                + " %s after the TTL ran out (%d expiries)%n", s.expiryTtlSeconds(), list(expiry), list(late),
                expiry.length));
        if (r.renewalsPerSecond() > 0) {
            b.append(String.format(Locale.ROOT, "lease renewals: %.0f/s measured (%d leases x 3 / %d s = %.0f/s"
                    + " expected)%n", r.renewalsPerSecond(), s.servers(), s.serverTtlSeconds(),
                    s.servers() * 3.0 / s.serverTtlSeconds()));
        }
        if (r.beatsPerSecond() > 0) {
            b.append(String.format(Locale.ROOT, "heartbeats: %.0f records written/s, %.0f copies of nodes/"
                    + " delivered/s to the %d followers (%d x %d = %d changes/s; several may come in one copy)%n",
                    r.beatsPerSecond(), r.nodeViewsPerSecond(), s.watchers(), s.watchers(), s.watchers(),
                    s.watchers() * s.watchers()));
        }
        b.append(String.format(Locale.ROOT, "etcd: RSS %.1f MiB (peak %.1f MiB), database %.2f MiB%n",
                mib(r.etcdRssBytes()), mib(r.etcdPeakRssBytes()), mib(r.etcdDbBytes())));
        b.append("CPU seconds by phase: etcd; this JVM (followers, their clients, the origins); the followers'"
                + " threads alone\n");
        b.append("phase                                   wall      etcd     JVM   followers\n");
        for (Phase p : r.phases()) {
            b.append(String.format(Locale.ROOT, "%-38s %7.2f s %6.2f %7.2f %8.2f%n", p.name(), p.wallNanos() / 1e9,
                    p.etcdCpuNanos() / 1e9, p.jvmCpuNanos() / 1e9, p.followerCpuNanos() / 1e9));
        }
        if (r.keepAliveErrors() > 0) {
            b.append("lease renewals that failed: ").append(r.keepAliveErrors()).append('\n');
        }
        for (ProbeResult p : r.missed()) {
            b.append(String.format(Locale.ROOT, "NOT SEEN BY EVERY FOLLOWER: %s %s (%d of %d)%n", p.kind(), p.key(),
                    p.seenBy(), s.watchers()));
        }
        return b.toString();
    }

    private static String line(String what, long[] sorted) {
        if (sorted.length == 0) {
            return "";
        }
        return String.format(Locale.ROOT, "%s: p50 %s, p99 %s, max %s (%d changes)%n", what,
                ms(percentile(sorted, 50)), ms(percentile(sorted, 99)), ms(sorted[sorted.length - 1]),
                sorted.length);
    }

    /** Nearest-rank percentile of a sorted array. */
    static long percentile(long[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static String list(long[] nanos) {
        StringBuilder b = new StringBuilder();
        for (long n : nanos) {
            b.append(b.length() == 0 ? "" : ", ").append(ms(n));
        }
        return b.toString();
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    /**
     * {@code bench/fleet-sim [--watchers N] [--servers N] [--changes N] [--expiries N]}: starts its own etcd
     * (without fsync, on free loopback ports), runs the simulation, prints the report; exits 1 when a change did not
     * reach every follower.
     */
    public static void main(String[] args) throws Exception {
        Scale d = Scale.DEFAULT;
        int watchers = d.watchers();
        int servers = d.servers();
        int changes = d.changes();
        int expiries = d.expiries();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--watchers" -> watchers = Integer.parseInt(value);
                case "--servers" -> servers = Integer.parseInt(value);
                case "--changes" -> changes = Integer.parseInt(value);
                case "--expiries" -> expiries = Integer.parseInt(value);
                default -> {
                    System.err.println("usage: fleet-sim [--watchers N] [--servers N] [--changes N] [--expiries N]");
                    System.exit(2);
                }
            }
            i++;
        }
        if (!Files.isExecutable(Path.of("/usr/bin/etcd"))) {
            System.err.println("fleet-sim: /usr/bin/etcd is missing (Debian package etcd-server)");
            System.exit(2);
        }
        Scale scale = new Scale(watchers, servers, changes, expiries, d.serverTtlSeconds(), d.expiryTtlSeconds(),
                d.steady(), d.heartbeats());
        Result r;
        try (EtcdProcess etcd = EtcdProcess.start()) {
            r = run(etcd.endpoint(), etcd.pid(), scale);
        }
        System.out.print(report(r));
        System.exit(r.missed().isEmpty() ? 0 : 1);
    }
}
